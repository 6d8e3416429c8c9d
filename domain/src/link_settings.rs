//! Link settings: how a client's journey presents each category of data,
//! what it asks consent for, and whether consent is required before linking.

use crate::validation::{char_len, FieldError, ValidationErrors};

/// The categories a journey is organised in.
pub const CATEGORIES: [&str; 3] = ["accounting", "banking", "commerce"];
/// Longest consent text.
pub const MAX_TEXT_LEN: usize = 4000;
/// Most data types listed for a category.
pub const MAX_DATA_TYPES: usize = 50;

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
}

/// One version of a client's link settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    /// Grows by one with every change; 0 for the defaults before any change.
    pub version: i64,
    /// Whether a connection can become `Linked` only with an active consent covering its category.
    pub consent_required: bool,
    pub terms_url: Option<String>,
    pub categories: Vec<CategorySettings>,
}

impl LinkSettings {
    /// What a client has before it sets anything: accounting required, the
    /// others optional, consent required, every integration offered.
    pub fn defaults() -> Self {
        let category = |name: &'static str, required: bool, data_types: &[&str], what: &str| {
            CategorySettings {
            name,
            required,
            integrations: None,
            data_types: data_types.iter().map(|d| (*d).to_owned()).collect(),
            texts: ConsentTexts {
                purpose: format!("We use your {what} data to assess and serve your business."),
                access: format!("We read your {what} data; we never change it."),
                account_information: "We see the accounts you choose to connect.".into(),
                platform_data: format!("We receive the {what} records listed here from your platform."),
                retention: "We keep the data while you use our service, and delete it when you withdraw consent.".into(),
            },
        }
        };
        Self {
            version: 0,
            consent_required: true,
            terms_url: None,
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
                    "accounting",
                ),
                category(
                    "banking",
                    false,
                    &[
                        "banking-accounts",
                        "banking-accountBalances",
                        "banking-transactions",
                    ],
                    "banking",
                ),
                category(
                    "commerce",
                    false,
                    &["commerce-orders", "commerce-payments", "commerce-customers"],
                    "commerce",
                ),
            ],
        }
    }

    pub fn category(&self, name: &str) -> Option<&CategorySettings> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// Checks the settings a client sends; `known_platform` says whether a key
    /// belongs to a catalogue integration of that category.
    pub fn validate(
        &self,
        known_platform: impl Fn(&str, &str) -> bool,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(url) = &self.terms_url {
            let http = url.starts_with("https://") || url.starts_with("http://");
            if !http || char_len(url) > 2000 || url.chars().any(char::is_whitespace) {
                errors.push(FieldError::new(
                    "termsUrl",
                    "Url",
                    "termsUrl must be an http:// or https:// URL.",
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
            if category.data_types.len() > MAX_DATA_TYPES
                || category
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
            for (name, text) in category.texts.parts() {
                if char_len(text) > MAX_TEXT_LEN {
                    errors.push(FieldError::new(
                        field(&format!("consentTexts.{name}")),
                        "MaxLength",
                        format!("Consent texts are at most {MAX_TEXT_LEN} characters."),
                    ));
                }
            }
        }
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
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
}
