use chrono::{DateTime, Utc};
use domain::link_settings::{
    CategorySettings, ConsentTexts, HostedJourney, LinkSettings, CATEGORIES,
};
use serde::{Deserialize, Serialize};

use crate::dto::reminders::ReminderPolicyBody;
use utoipa::ToSchema;

/// The consent texts of one category.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsentTextsBody {
    /// Why the data is asked for.
    pub purpose: String,
    /// What access is granted (read, never write).
    pub access: String,
    /// What the client sees about the customer's accounts.
    pub account_information: String,
    /// Which records come from the platform.
    pub platform_data: String,
    /// How long data is kept, and what happens when consent is withdrawn.
    pub retention: String,
}

impl From<ConsentTextsBody> for ConsentTexts {
    fn from(body: ConsentTextsBody) -> Self {
        Self {
            purpose: body.purpose,
            access: body.access,
            account_information: body.account_information,
            platform_data: body.platform_data,
            retention: body.retention,
        }
    }
}

impl From<&ConsentTexts> for ConsentTextsBody {
    fn from(texts: &ConsentTexts) -> Self {
        Self {
            purpose: texts.purpose.clone(),
            access: texts.access.clone(),
            account_information: texts.account_information.clone(),
            platform_data: texts.platform_data.clone(),
            retention: texts.retention.clone(),
        }
    }
}

/// How one category appears in the journey.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryBody {
    /// Whether the journey is complete only with a linked connection of this category.
    pub required: bool,
    /// Platform keys offered; left out to offer every enabled integration of the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrations: Option<Vec<String>>,
    /// The data types shown to the customer.
    #[serde(default)]
    pub data_types: Vec<String>,
    #[serde(default)]
    pub consent_texts: ConsentTextsBody,
    /// The consent texts in other languages, by locale (`fr`, `de-CH` …; the exact locale first,
    /// then its language, then `consentTexts`); at most 20 locales. While `consentTexts` are Link
    /// API's defaults, its own French, German and Spanish translations are filled in for the
    /// languages you leave out. The journey shows the customer's, and the ledger records the
    /// texts they were shown.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[schema(example = json!({"fr": {"purpose": "Pour étudier votre demande de prêt.", "access": "Lecture seule.",
        "accountInformation": "Vos comptes.", "platformData": "Factures et achats.", "retention": "Douze mois."}}))]
    pub localized_consent_texts: std::collections::BTreeMap<String, ConsentTextsBody>,
}

/// The three categories; one left out of an update takes its default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CategoriesBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting: Option<CategoryBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banking: Option<CategoryBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commerce: Option<CategoryBody>,
}

/// Link settings as a client sets them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "consentRequired": true,
    "termsUrl": "https://app.bankofdave.example/terms",
    "categories": {
        "accounting": {"required": true, "integrations": ["gbol", "qhyg", "mqjo"], "dataTypes": ["invoices", "bills"],
            "consentTexts": {"purpose": "To assess your loan application.", "access": "Read only.",
                "accountInformation": "Your ledger accounts.", "platformData": "Invoices and bills.",
                "retention": "Twelve months, or until you withdraw consent."}},
        "banking": {"required": false, "dataTypes": ["banking-transactions"]}
    }
}))]
pub struct LinkSettingsDocument {
    /// Whether a connection becomes `Linked` only with an active consent covering its category (default true).
    #[serde(default = "consent_required_by_default")]
    pub consent_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
    /// Your journey UI's address, where invitations' share URLs lead: `{token}` stands for the
    /// invitation token; without it the token is added as the `invitation` query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_url: Option<String>,
    /// Whether Link API emails each invitation to its recipient unless the request says
    /// `"send": false` (default false). It needs an SMTP server (`LINK_SMTP_URL`); an invitation
    /// without `recipient.email` is not emailed.
    #[serde(default)]
    pub email_invitations: bool,
    #[serde(default)]
    pub categories: CategoriesBody,
    /// How the hosted journey page (each company's `redirect`) looks and what it offers.
    #[serde(default)]
    pub hosted_journey: HostedJourneyBody,
    /// When companies that have not completed their journey are reminded (`journey.reminder` events).
    #[serde(default)]
    pub reminders: ReminderPolicyBody,
}

fn consent_required_by_default() -> bool {
    true
}

/// A setting that is on unless turned off.
fn on() -> bool {
    true
}

/// The hosted journey page's settings; each has a default.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostedJourneyBody {
    /// Whether the journey opens on a landing screen (default true); otherwise on the categories.
    #[serde(default = "on")]
    pub show_landing_page: bool,
    /// Whether the built-in Sandbox is offered among the accounting platforms (default true).
    #[serde(default = "on")]
    pub show_sandbox: bool,
    /// Whether the footer says "Secured by Link API" (default true).
    #[serde(default = "on")]
    pub show_secured_by: bool,
    /// Whether the journey opens only from a signed link (`POST /companies/{companyId}/links`);
    /// the bare company URL then answers a page saying so (default false).
    #[serde(default)]
    pub require_signed_links: bool,
    /// The colour of buttons and links, `#RRGGBB`; the text on it is black or white, whichever reads better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$", example = "#0b5cad")]
    pub primary_colour: Option<String>,
    /// The same in the dark colour scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$", example = "#8ab4f8")]
    pub primary_colour_dark: Option<String>,
    /// A page where customers find help, linked from every screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_url: Option<String>,
    /// The locale the page speaks when neither `?locale=` nor the browser's languages name one it
    /// has texts for (its own four, `en`, `fr`, `de`, `es`, or one of `texts`); English otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "fr",
        pattern = "^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$",
        max_length = 35
    )]
    pub default_locale: Option<String>,
    /// The page's texts in your words, by locale (`en`, `fr-CA` …; the exact locale first, then its
    /// language) and name: any text of the journey, by its name (`landingTitle`, `landingBody`,
    /// `start`, `categoriesTitle`, `categoriesBody`, `consentTitle`, `agree`, `finish`, `doneBody`,
    /// `exitConfirmation` …, as the README lists them); at most 500 characters each, `{client}`
    /// stands for your name. The bodies may hold paragraphs (a blank line), `**bold**` and `[links](https://…)`.
    /// What you leave out keeps the page's own wording in the customer's language.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[schema(example = json!({"en": {"landingTitle": "Connect your books to Acme Lending"}, "fr": {"landingTitle": "Connectez votre comptabilité à Acme Lending"}}))]
    pub texts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

impl Default for HostedJourneyBody {
    fn default() -> Self {
        HostedJourney::default().into()
    }
}

impl From<HostedJourney> for HostedJourneyBody {
    fn from(h: HostedJourney) -> Self {
        Self {
            show_landing_page: h.show_landing_page,
            show_sandbox: h.show_sandbox,
            show_secured_by: h.show_secured_by,
            require_signed_links: h.require_signed_links,
            primary_colour: h.primary_colour,
            primary_colour_dark: h.primary_colour_dark,
            help_url: h.help_url,
            default_locale: h.default_locale,
            texts: h.texts,
        }
    }
}

impl From<HostedJourneyBody> for HostedJourney {
    fn from(b: HostedJourneyBody) -> Self {
        Self {
            show_landing_page: b.show_landing_page,
            show_sandbox: b.show_sandbox,
            show_secured_by: b.show_secured_by,
            require_signed_links: b.require_signed_links,
            primary_colour: b.primary_colour,
            primary_colour_dark: b.primary_colour_dark,
            help_url: b.help_url,
            default_locale: b.default_locale,
            texts: b.texts,
        }
    }
}

/// One version of the client's link settings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkSettingsBody {
    /// Grows by one with every change; 0 for the defaults before any change.
    pub version: i64,
    /// When this version was made; left out for the defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub settings: LinkSettingsDocument,
}

impl LinkSettingsDocument {
    /// A stored version of the settings, read back.
    pub fn parse_stored(stored: &domain::ports::VersionedDocument) -> Result<LinkSettings, String> {
        serde_json::from_str::<Self>(&stored.document)
            .map(|document| document.into_domain(stored.version))
            .map_err(|e| format!("stored link settings {} do not parse: {e}", stored.version))
    }

    /// The domain form, with defaults for any category left out.
    pub fn into_domain(self, version: i64) -> LinkSettings {
        let defaults = LinkSettings::defaults();
        let CategoriesBody {
            accounting,
            banking,
            commerce,
        } = self.categories;
        let categories = CATEGORIES
            .iter()
            .zip([accounting, banking, commerce])
            .map(|(name, body)| match body {
                Some(body) => CategorySettings {
                    name,
                    required: body.required,
                    integrations: body.integrations,
                    data_types: body.data_types,
                    texts: body.consent_texts.into(),
                    localized: body
                        .localized_consent_texts
                        .into_iter()
                        .map(|(locale, texts)| (locale, texts.into()))
                        .collect(),
                }
                .with_shipped_translations(),
                None => defaults
                    .category(name)
                    .cloned()
                    .unwrap_or_else(|| defaults.categories[0].clone()),
            })
            .collect();
        LinkSettings {
            version,
            consent_required: self.consent_required,
            terms_url: self.terms_url,
            invitation_url: self.invitation_url,
            email_invitations: self.email_invitations,
            categories,
            hosted: self.hosted_journey.into(),
            reminders: self.reminders.into(),
        }
    }

    /// The wire form of domain settings, every category spelled out.
    pub fn from_domain(settings: &LinkSettings) -> Self {
        let body = |name: &str| {
            settings.category(name).map(|c| CategoryBody {
                required: c.required,
                integrations: c.integrations.clone(),
                data_types: c.data_types.clone(),
                consent_texts: ConsentTextsBody::from(&c.texts),
                localized_consent_texts: c
                    .localized
                    .iter()
                    .map(|(locale, texts)| (locale.clone(), ConsentTextsBody::from(texts)))
                    .collect(),
            })
        };
        Self {
            consent_required: settings.consent_required,
            terms_url: settings.terms_url.clone(),
            invitation_url: settings.invitation_url.clone(),
            email_invitations: settings.email_invitations,
            categories: CategoriesBody {
                accounting: body("accounting"),
                banking: body("banking"),
                commerce: body("commerce"),
            },
            hosted_journey: settings.hosted.clone().into(),
            reminders: settings.reminders.clone().into(),
        }
    }
}
