//! Link settings: how a client's journey presents each category of data,
//! what it asks consent for, and whether consent is required before linking.

use crate::integration::SourceType;
use crate::locale::{check_texts_by_locale, is_locale_tag};
use crate::validation::{char_len, is_http_url, FieldError, ValidationErrors};

/// The categories a journey is organised in.
pub const CATEGORIES: [&str; 3] = ["accounting", "banking", "commerce"];
/// Longest consent text.
pub const MAX_TEXT_LEN: usize = 4000;
/// Most data types listed for a category.
pub const MAX_DATA_TYPES: usize = 50;

/// The error of a `categories` list that `normalize_categories` refuses.
pub fn categories_error() -> FieldError {
    FieldError::new(
        "categories",
        "Categories",
        "categories holds one or more of accounting, banking and commerce.",
    )
}

/// The named categories in journey order without repeats; `None` if the list
/// is empty or names an unknown category.
pub fn normalize_categories(names: &[String]) -> Option<Vec<String>> {
    if names.is_empty() || names.iter().any(|n| !CATEGORIES.contains(&n.as_str())) {
        return None;
    }
    Some(
        CATEGORIES
            .iter()
            .filter(|c| names.iter().any(|n| n == *c))
            .map(|c| (*c).to_owned())
            .collect(),
    )
}

/// A set of categories, small enough to copy: what a limited company token may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategorySet(u8);

impl CategorySet {
    /// The known categories among `names`.
    pub fn of<S: AsRef<str>>(names: &[S]) -> Self {
        Self(
            CATEGORIES
                .iter()
                .enumerate()
                .filter(|(_, c)| names.iter().any(|n| n.as_ref() == **c))
                .fold(0, |bits, (i, _)| bits | (1 << i)),
        )
    }

    pub fn contains(self, name: &str) -> bool {
        CATEGORIES
            .iter()
            .position(|c| *c == name)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// The categories of the set, in journey order.
    pub fn names(self) -> Vec<&'static str> {
        CATEGORIES
            .iter()
            .copied()
            .filter(|c| self.contains(c))
            .collect()
    }
}

/// The consent texts of one category, shown to the customer before consenting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentTexts {
    pub purpose: String,
    pub access: String,
    pub account_information: String,
    pub platform_data: String,
    pub retention: String,
}

impl ConsentTexts {
    /// The texts in a fixed order, for hashing exactly what was shown.
    pub fn parts(&self) -> [(&'static str, &str); 5] {
        [
            ("purpose", &self.purpose),
            ("access", &self.access),
            ("accountInformation", &self.account_information),
            ("platformData", &self.platform_data),
            ("retention", &self.retention),
        ]
    }

    /// The texts by the names of [`ConsentTexts::parts`], in the same order, to fill in.
    pub fn parts_mut(&mut self) -> [(&'static str, &mut String); 5] {
        [
            ("purpose", &mut self.purpose),
            ("access", &mut self.access),
            ("accountInformation", &mut self.account_information),
            ("platformData", &mut self.platform_data),
            ("retention", &mut self.retention),
        ]
    }
}

/// How one category appears in the journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySettings {
    pub name: &'static str,
    /// Whether the journey is incomplete without a linked connection of this category.
    pub required: bool,
    /// Platform keys offered; `None` offers every enabled integration of the category.
    pub integrations: Option<Vec<String>>,
    /// The data types shown to the customer.
    pub data_types: Vec<String>,
    pub texts: ConsentTexts,
    /// The consent texts in other languages, by locale (`fr`, `de-CH` …):
    /// the client's, and Link API's own translations of its default texts.
    pub localized: std::collections::BTreeMap<String, ConsentTexts>,
}

impl CategorySettings {
    /// Checks what the customer is shown for this category (its data types
    /// and consent texts), naming fields under `prefix`.
    pub fn check_shown(&self, prefix: &str, errors: &mut ValidationErrors) {
        let field = |f: &str| format!("{prefix}.{f}");
        if self.data_types.len() > MAX_DATA_TYPES
            || self
                .data_types
                .iter()
                .any(|d| d.is_empty() || char_len(d) > 50)
        {
            errors.push(FieldError::new(
                field("dataTypes"),
                "DataTypes",
                format!("At most {MAX_DATA_TYPES} data types, each 1 to 50 characters."),
            ));
        }
        for (name, text) in self.texts.parts() {
            if char_len(text) > MAX_TEXT_LEN {
                errors.push(FieldError::new(
                    field(&format!("consentTexts.{name}")),
                    "MaxLength",
                    format!("Consent texts are at most {MAX_TEXT_LEN} characters."),
                ));
            }
        }
    }

    /// Checks the consent texts given by locale, naming fields under `prefix`.
    pub fn check_localized(&self, prefix: &str, errors: &mut ValidationErrors) {
        let by_locale: std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, String>,
        > = self
            .localized
            .iter()
            .map(|(locale, texts)| {
                let parts = texts
                    .parts()
                    .into_iter()
                    .map(|(n, t)| (n.to_owned(), t.to_owned()))
                    .collect();
                (locale.clone(), parts)
            })
            .collect();
        check_texts_by_locale(
            errors,
            &format!("{prefix}.localizedConsentTexts"),
            &by_locale,
            MAX_TEXT_LOCALES,
            |field, _, text| {
                text_problem(
                    field,
                    text,
                    MAX_TEXT_LEN,
                    format!("Consent texts are at most {MAX_TEXT_LEN} characters."),
                )
            },
        );
    }

    /// Adds Link API's own translations of its default texts, for each
    /// language the client has not given, when the texts are the defaults.
    pub fn with_shipped_translations(mut self) -> Self {
        if self.texts != shipped_texts(self.name, "en").unwrap_or_default() {
            return self;
        }
        for language in SHIPPED_LANGUAGES.into_iter().filter(|l| *l != "en") {
            if let Some(texts) = shipped_texts(self.name, language) {
                self.localized.entry(language.to_owned()).or_insert(texts);
            }
        }
        self
    }
}

/// The languages Link API writes its default consent texts in.
pub const SHIPPED_LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "ar"];

/// Link API's default consent texts for `category` in `language`.
pub fn shipped_texts(category: &str, language: &str) -> Option<ConsentTexts> {
    let what: &str = match (language, category) {
        ("en", "accounting") => "accounting",
        ("en", "banking") => "banking",
        ("en", "commerce") => "commerce",
        ("fr", "accounting") => "comptables",
        ("fr", "banking") => "bancaires",
        ("fr", "commerce") => "commerciales",
        ("de", "accounting") => "Buchhaltungsdaten",
        ("de", "banking") => "Bankdaten",
        ("de", "commerce") => "Handelsdaten",
        ("es", "accounting") => "contables",
        ("es", "banking") => "bancarios",
        ("es", "commerce") => "comerciales",
        ("ar", "accounting") => "المحاسبية",
        ("ar", "banking") => "المصرفية",
        ("ar", "commerce") => "التجارية",
        _ => return None,
    };
    let [purpose, access, account_information, platform_data, retention] = match language {
        "fr" => [
            format!("Nous utilisons vos données {what} pour évaluer votre entreprise et vous servir."),
            format!("Nous lisons vos données {what} ; nous ne les modifions jamais."),
            "Nous voyons les comptes que vous choisissez de connecter.".to_owned(),
            format!("Nous recevons de votre plateforme les données {what} listées ici."),
            "Nous conservons ces données tant que vous utilisez notre service, et les supprimons quand vous retirez votre consentement.".to_owned(),
        ],
        "de" => [
            format!("Wir nutzen Ihre {what}, um Ihr Unternehmen zu beurteilen und Ihnen unsere Leistungen zu erbringen."),
            format!("Wir lesen Ihre {what}; wir ändern sie nie."),
            "Wir sehen die Konten, die Sie verbinden.".to_owned(),
            format!("Wir erhalten von Ihrer Plattform die hier aufgeführten {what}."),
            "Wir bewahren die Daten auf, solange Sie unseren Dienst nutzen, und löschen sie, wenn Sie Ihre Einwilligung widerrufen.".to_owned(),
        ],
        "ar" => [
            format!("نستخدم بياناتك {what} لتقييم نشاطك التجاري وتقديم خدماتنا لك."),
            format!("نقرأ بياناتك {what}؛ ولا نغيّرها أبدًا."),
            "نطّلع على الحسابات التي تختار ربطها.".to_owned(),
            format!("نتلقى من منصتك البيانات {what} المذكورة هنا."),
            "نحتفظ بالبيانات طوال استخدامك لخدمتنا، ونحذفها عند سحب موافقتك.".to_owned(),
        ],
        "es" => [
            format!("Usamos sus datos {what} para evaluar su empresa y prestarle nuestros servicios."),
            format!("Leemos sus datos {what}; nunca los modificamos."),
            "Vemos las cuentas que usted elige conectar.".to_owned(),
            format!("Recibimos de su plataforma los datos {what} que se indican aquí."),
            "Conservamos los datos mientras use nuestro servicio y los eliminamos cuando retire su consentimiento.".to_owned(),
        ],
        _ => [
            format!("We use your {what} data to assess and serve your business."),
            format!("We read your {what} data; we never change it."),
            "We see the accounts you choose to connect.".to_owned(),
            format!("We receive the {what} records listed here from your platform."),
            "We keep the data while you use our service, and delete it when you withdraw consent.".to_owned(),
        ],
    };
    Some(ConsentTexts {
        purpose,
        access,
        account_information,
        platform_data,
        retention,
    })
}

/// How the hosted journey page looks and what it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedJourney {
    /// Whether the journey opens on a landing screen (otherwise on the categories).
    pub show_landing_page: bool,
    /// Whether the built-in Sandbox is among the platforms offered.
    pub show_sandbox: bool,
    /// Whether the footer says the journey is secured by Link API.
    pub show_secured_by: bool,
    /// Whether the journey opens only from a signed link, not from the bare company URL.
    pub require_signed_links: bool,
    /// The colour of buttons and links, `#RRGGBB`; the page's own when absent.
    pub primary_colour: Option<String>,
    /// The same in the dark colour scheme.
    pub primary_colour_dark: Option<String>,
    /// A page where customers find help, linked from every screen.
    pub help_url: Option<String>,
    /// The locale the page speaks when neither its address nor the browser
    /// names one it has texts for.
    pub default_locale: Option<String>,
    /// The page's own texts in the client's words, by locale (`en`, `fr-CA` …)
    /// and text name ([`HOSTED_TEXTS`]); what is left out keeps the page's wording.
    pub texts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

/// The texts of the journey a client may reword: every one of them, by the
/// names of the journey's own (`web/src/i18n.ts`, held to this list by a test).
pub const HOSTED_TEXTS: [&str; 171] = [
    "loading",
    "securedBy",
    "landingTitle",
    "invitedTitle",
    "invitedHello",
    "invitedBody",
    "invitedMessage",
    "landingBody",
    "start",
    "categoriesTitle",
    "categoriesBody",
    "accounting",
    "banking",
    "commerce",
    "accountingCompound",
    "bankingCompound",
    "commerceCompound",
    "required",
    "optional",
    "statusLinked",
    "statusConsented",
    "statusNotStarted",
    "connect",
    "connectAnother",
    "connectMore",
    "finish",
    "finishHint",
    "consentTitle",
    "purpose",
    "access",
    "accountInformation",
    "platformData",
    "retention",
    "dataTypes",
    "terms",
    "agree",
    "back",
    "notNow",
    "platformsTitle",
    "search",
    "noMatch",
    "oneFound",
    "manyFound",
    "noPlatforms",
    "desktopOnly",
    "needsDesktopPackage",
    "notMobile",
    "desktopOnlyOnPhone",
    "credentialsTitle",
    "credentialsBody",
    "fieldRequired",
    "fieldPattern",
    "fieldEmail",
    "fieldTooLong",
    "fieldControl",
    "submit",
    "connecting",
    "linked",
    "savedTitle",
    "savedBody",
    "cancelled",
    "consentMissing",
    "failed",
    "tryAgain",
    "chooseAnother",
    "doneTitle",
    "doneBody",
    "continue",
    "closeWindow",
    "errorTitle",
    "unreachable",
    "offline",
    "serverTrouble",
    "detailsUnchecked",
    "tooMany",
    "emailLimit",
    "sessionEnded",
    "retry",
    "linkUsedTitle",
    "linkUsedBody",
    "linkEndedTitle",
    "linkEndedBody",
    "linkUnknownTitle",
    "linkUnknownBody",
    "invitationEndedTitle",
    "invitationEndedBody",
    "invitationUnknownTitle",
    "invitationUnknownBody",
    "errorReference",
    "printReceipts",
    "toMyselfLink",
    "toMyselfTitle",
    "toMyselfBody",
    "toMyselfEmail",
    "toMyselfMessage",
    "toMyselfReady",
    "help",
    "notConnected",
    "inviteLinkLabel",
    "inviteTitle",
    "inviteBody",
    "inviteName",
    "inviteEmail",
    "inviteMessage",
    "inviteSubmit",
    "inviteReady",
    "inviteReadyBody",
    "inviteLink",
    "inviteWho",
    "toMyselfWho",
    "copyLink",
    "inviteByEmail",
    "inviteEmailed",
    "sharedLink",
    "sharedTitle",
    "sharedConnections",
    "sharedNoConnections",
    "sharedConsents",
    "sharedNoConsents",
    "connectionPendingAuth",
    "connectionLinked",
    "connectionUnlinked",
    "connectionDeauthorized",
    "reconnect",
    "consentActive",
    "consentWithdrawn",
    "consentGiven",
    "consentTextsOf",
    "downloadReceipt",
    "receiptTitle",
    "receiptWho",
    "receiptYourBusiness",
    "receiptActive",
    "receiptWithdrawn",
    "receiptRecord",
    "withdraw",
    "withdrawn",
    "leave",
    "exitTitle",
    "exitConfirmation",
    "stay",
    "leaveNow",
    "leftTitle",
    "leftBody",
    "resume",
    "remindEmail",
    "remindHint",
    "remindMe",
    "remindSaved",
    "cancel",
    "disconnect",
    "disconnectTitle",
    "disconnectBody",
    "disconnected",
    "withdrawTitle",
    "withdrawBody",
    "desktopTitle",
    "desktopBody",
    "desktopStep1",
    "desktopDownload",
    "desktopStep2",
    "desktopStep3",
    "desktopWaiting",
    "copy",
    "copied",
    "close",
    "popupBlocked",
    "popupOpen",
    "popupWaiting",
    "popupFocus",
    "popupCancel",
];
/// Most locales the page's texts may be given in.
pub const MAX_TEXT_LOCALES: usize = 20;
/// Longest text of the page.
pub const MAX_HOSTED_TEXT_LEN: usize = 500;

impl Default for HostedJourney {
    fn default() -> Self {
        Self {
            show_landing_page: true,
            show_sandbox: true,
            show_secured_by: true,
            require_signed_links: false,
            primary_colour: None,
            primary_colour_dark: None,
            help_url: None,
            default_locale: None,
            texts: std::collections::BTreeMap::new(),
        }
    }
}

/// What is wrong with a text a client words for the page: longer than `max`
/// characters (`too_long` says so), or holding control characters other
/// than line breaks.
fn text_problem(field: &str, text: &str, max: usize, too_long: String) -> Option<FieldError> {
    if char_len(text) > max {
        return Some(FieldError::new(field, "MaxLength", too_long));
    }
    crate::validation::check_control_characters(
        field,
        text,
        crate::validation::ControlCharacters::LineBreaks,
    )
    .err()
}

/// Whether `text` is a colour as `#RRGGBB`.
fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// One version of a client's link settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    /// Grows by one with every change; 0 for the defaults before any change.
    pub version: i64,
    /// Whether a connection can become `Linked` only with an active consent covering its category.
    pub consent_required: bool,
    pub terms_url: Option<String>,
    /// The address of the client's journey UI that invitations' share URLs
    /// point to; `{token}` stands for the invitation token (otherwise it is
    /// added as the `invitation` query parameter).
    pub invitation_url: Option<String>,
    /// Whether invitations are emailed by Link API unless the request says
    /// otherwise (when it can send email and the recipient has an address).
    pub email_invitations: bool,
    pub categories: Vec<CategorySettings>,
    /// The hosted journey page.
    pub hosted: HostedJourney,
    /// When companies that have not completed their journey are reminded.
    pub reminders: crate::reminder::ReminderPolicy,
}

impl LinkSettings {
    /// What a client has before it sets anything: accounting required, the
    /// others optional, consent required, every integration offered.
    pub fn defaults() -> Self {
        let category = |name: &'static str, required: bool, data_types: &[&str]| {
            CategorySettings {
                name,
                required,
                integrations: None,
                data_types: data_types.iter().map(|d| (*d).to_owned()).collect(),
                texts: shipped_texts(name, "en").unwrap_or_default(),
                localized: std::collections::BTreeMap::new(),
            }
            .with_shipped_translations()
        };
        Self {
            version: 0,
            consent_required: true,
            terms_url: None,
            invitation_url: None,
            email_invitations: false,
            hosted: HostedJourney::default(),
            reminders: crate::reminder::ReminderPolicy::default(),
            categories: vec![
                category(
                    "accounting",
                    true,
                    &[
                        "chartOfAccounts",
                        "invoices",
                        "bills",
                        "payments",
                        "balanceSheet",
                        "profitAndLoss",
                    ],
                ),
                category(
                    "banking",
                    false,
                    &[
                        "banking-accounts",
                        "banking-accountBalances",
                        "banking-transactions",
                    ],
                ),
                category(
                    "commerce",
                    false,
                    &["commerce-orders", "commerce-payments", "commerce-customers"],
                ),
            ],
        }
    }

    pub fn category(&self, name: &str) -> Option<&CategorySettings> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The category whose active consent a connection of `source_type` needs
    /// before it is linked; `None` when consent is not required or the
    /// platform belongs to no category.
    pub fn consent_category(&self, source_type: SourceType) -> Option<&'static str> {
        self.consent_required
            .then(|| source_type.category())
            .flatten()
    }

    /// Checks the settings a client sends; `known_platform` says whether a key
    /// belongs to a catalogue integration of that category.
    pub fn validate(
        &self,
        known_platform: impl Fn(&str, &str) -> bool,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, colour) in [
            ("hostedJourney.primaryColour", &self.hosted.primary_colour),
            (
                "hostedJourney.primaryColourDark",
                &self.hosted.primary_colour_dark,
            ),
        ] {
            if colour.as_deref().is_some_and(|c| !is_colour(c)) {
                errors.push(FieldError::new(
                    field,
                    "Colour",
                    format!("{field} is a colour written #RRGGBB, such as #3b3bc4."),
                ));
            }
        }
        if self
            .hosted
            .default_locale
            .as_deref()
            .is_some_and(|locale| !is_locale_tag(locale))
        {
            errors.push(FieldError::new(
                "hostedJourney.defaultLocale",
                "Locale",
                "hostedJourney.defaultLocale is a locale such as en or fr-CA.",
            ));
        }
        check_texts_by_locale(
            &mut errors,
            "hostedJourney.texts",
            &self.hosted.texts,
            MAX_TEXT_LOCALES,
            |field, name, text| {
                if !HOSTED_TEXTS.contains(&name) {
                    Some(FieldError::new(
                        field,
                        "UnknownText",
                        format!(
                            "`{}` is not a text of the journey; texts are named as the journey names \
                             them (landingTitle, consentTitle, agree …: see the README).",
                            name.escape_debug()
                        ),
                    ))
                } else {
                    text_problem(
                        field,
                        text,
                        MAX_HOSTED_TEXT_LEN,
                        format!("A text of the page is at most {MAX_HOSTED_TEXT_LEN} characters."),
                    )
                }
            },
        );
        for (field, url) in [
            ("termsUrl", &self.terms_url),
            ("invitationUrl", &self.invitation_url),
            ("hostedJourney.helpUrl", &self.hosted.help_url),
        ] {
            if url
                .as_deref()
                .is_some_and(|url| !is_http_url(url) || char_len(url) > 2000)
            {
                errors.push(FieldError::new(
                    field,
                    "Url",
                    format!("{field} must be an http:// or https:// URL."),
                ));
            }
        }
        for category in &self.categories {
            let field = |f: &str| format!("categories.{}.{f}", category.name);
            for key in category.integrations.iter().flatten() {
                if !known_platform(category.name, key) {
                    errors.push(FieldError::new(
                        field("integrations"),
                        "UnknownIntegration",
                        format!(
                            "`{key}` is not a {} integration of the catalogue.",
                            category.name
                        ),
                    ));
                }
            }
            category.check_shown(&format!("categories.{}", category.name), &mut errors);
            category.check_localized(&format!("categories.{}", category.name), &mut errors);
        }
        self.reminders.check(&mut errors);
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_of_the_journey_may_be_reworded_and_no_other() {
        let source = include_str!("../../web/src/i18n.ts");
        let start = source
            .find("const en = {")
            .expect("the journey's English texts");
        let english = &source[start..start + source[start..].find("\n};").expect("their end")];
        let names: Vec<&str> = english
            .lines()
            .filter_map(|line| {
                line.strip_prefix("  ")?
                    .split_once(':')
                    .map(|(name, _)| name)
            })
            .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect();

        assert_eq!(
            names, HOSTED_TEXTS,
            "HOSTED_TEXTS lists the journey's texts, in their order"
        );
    }

    use super::*;

    #[test]
    fn the_defaults_require_accounting_and_consent() {
        let defaults = LinkSettings::defaults();

        assert!(defaults.consent_required);
        assert!(defaults.category("accounting").unwrap().required);
        assert!(!defaults.category("banking").unwrap().required);
        assert!(defaults.validate(|_, _| true).is_ok());
    }

    #[test]
    fn unknown_integrations_long_texts_and_bad_urls_are_all_reported() {
        let mut settings = LinkSettings::defaults();
        settings.terms_url = Some("ftp://terms".into());
        settings.categories[0].integrations = Some(vec!["gbol".into(), "zzzz".into()]);
        settings.categories[1].texts.purpose = "x".repeat(MAX_TEXT_LEN + 1);

        let errors = settings.validate(|_, key| key == "gbol").unwrap_err();

        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "termsUrl",
                "categories.accounting.integrations",
                "categories.banking.consentTexts.purpose"
            ]
        );
    }

    #[test]
    fn categories_are_ordered_deduplicated_and_known() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            normalize_categories(&names(&["commerce", "accounting", "commerce"])),
            Some(names(&["accounting", "commerce"]))
        );
        assert_eq!(normalize_categories(&names(&[])), None);
        assert_eq!(normalize_categories(&names(&["payroll"])), None);
    }

    #[test]
    fn a_category_set_holds_known_names_in_journey_order() {
        let set = CategorySet::of(&["commerce", "payroll", "accounting"]);

        assert_eq!(set.names(), ["accounting", "commerce"]);
        assert!(set.contains("commerce") && !set.contains("banking") && !set.contains("payroll"));
    }
}
