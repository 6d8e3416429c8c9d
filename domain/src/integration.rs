//! The integration catalogue: which platforms a customer can connect, how
//! each one authorizes, and what a journey UI needs to know before starting.

use std::fmt;

use crate::validation::FieldError;

/// A platform's four-letter key, e.g. `gbol`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlatformKey(String);

impl PlatformKey {
    /// Exactly four lower-case ASCII letters.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                "platformKey",
                "PlatformKey",
                format!("`{raw}` is not a platform key: expected four lower-case letters such as `gbol`."),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceType {
    Accounting,
    Banking,
    BankFeed,
    Commerce,
    Expense,
    Other,
    Unknown,
}

impl SourceType {
    pub const ALL: [SourceType; 7] = [
        Self::Accounting,
        Self::Banking,
        Self::BankFeed,
        Self::Commerce,
        Self::Expense,
        Self::Other,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "Accounting",
            Self::Banking => "Banking",
            Self::BankFeed => "BankFeed",
            Self::Commerce => "Commerce",
            Self::Expense => "Expense",
            Self::Other => "Other",
            Self::Unknown => "Unknown",
        }
    }

    /// Matches the spelling regardless of case, as callers write `accounting` too.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// The journey category (`accounting`, `banking`, `commerce`) a platform
    /// of this type belongs to, if any; link settings and consent are kept per category.
    pub fn category(self) -> Option<&'static str> {
        match self {
            Self::Accounting => Some("accounting"),
            Self::Banking | Self::BankFeed => Some("banking"),
            Self::Commerce => Some("commerce"),
            Self::Expense | Self::Other | Self::Unknown => None,
        }
    }

    /// The source types whose platforms belong to a category.
    pub fn of_category(category: &str) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|s| s.category() == Some(category))
            .collect()
    }
}

/// How client credentials are sent to a provider's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// HTTP Basic with the client id and secret.
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// The OAuth 2.0 endpoints and scopes of a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthSettings {
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: Option<String>,
    pub scopes: Vec<String>,
    pub client_auth: ClientAuthMethod,
}

/// The type of a credential form field, which decides how a UI renders it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Password,
    Url,
    Email,
    Number,
}

/// One field of a credential form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialField {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    /// Stored encrypted and never shown again.
    pub secret: bool,
    pub required: bool,
    /// A regular expression the whole value must match.
    pub pattern: Option<String>,
}

/// How a customer authorizes access to a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    OAuth2(OAuthSettings),
    Credentials(Vec<CredentialField>),
    /// An agent installed on the customer's computer reports in.
    DesktopConnector,
}

/// What a UI should warn about before the customer starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceSupport {
    /// Runs only on a desktop computer (e.g. Sage 50).
    pub desktop_only: bool,
    /// Needs a package installed in the platform first (e.g. Oracle NetSuite).
    pub needs_desktop_package: bool,
    /// Its sign-in pages do not work well on a phone.
    pub not_mobile_optimized: bool,
}

/// One platform of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub key: PlatformKey,
    pub name: String,
    pub source_type: SourceType,
    pub is_beta: bool,
    pub auth: AuthMethod,
    pub device: DeviceSupport,
    /// The data types the platform provides, e.g. `invoices`.
    pub data_types: Vec<String>,
    /// Whether clients get it enabled until they decide otherwise.
    pub enabled_by_default: bool,
    /// The accent colour of its generated logo, as `#rrggbb`.
    pub brand_colour: String,
    /// Its only way in is a credential the client obtains itself (a token
    /// from the platform's own flow, a developer key): the client's back end
    /// imports it, and no customer is ever asked for it.
    pub import_only: bool,
    /// Other names customers search it by (`qbo`, `intuit` …), in lower case.
    pub aliases: Vec<String>,
    /// How widely it is used, for ordering: higher first.
    pub popularity: u32,
}

/// Why customers cannot connect an integration in a journey now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// The client turned it off.
    Disabled,
    /// An OAuth platform with no OAuth application registered by the client.
    NoOAuthApplication,
    /// Its credential is the client's to import, not the customer's to type.
    ImportOnly,
}

impl NotReady {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disabled => "Disabled",
            Self::NoOAuthApplication => "NoOAuthApplication",
            Self::ImportOnly => "ImportOnly",
        }
    }

    /// What the client can do about it, in a sentence.
    pub fn remedy(self, key: &PlatformKey) -> String {
        match self {
            Self::Disabled => format!("it is disabled; enable it with PUT /integrations/{key}/settings"),
            Self::NoOAuthApplication => format!(
                "no OAuth application is registered for it; register one with PUT /integrations/{key}/settings"
            ),
            Self::ImportOnly => "its credential is one your back end obtains and imports \
                                 (PUT …/authorization with an API key), never one a customer types"
                .to_owned(),
        }
    }
}

impl Integration {
    /// Whether a client's customers may use it: the client's own choice
    /// (`chosen`, from its settings), else the catalogue's default.
    pub fn enabled(&self, chosen: Option<bool>) -> bool {
        chosen.unwrap_or(self.enabled_by_default)
    }

    /// Whether a customer can connect it in a journey now, for a client that
    /// has it `enabled` and (for OAuth) `has_oauth_application`.
    pub fn readiness(&self, enabled: bool, has_oauth_application: bool) -> Result<(), NotReady> {
        if !enabled {
            return Err(NotReady::Disabled);
        }
        if self.import_only {
            return Err(NotReady::ImportOnly);
        }
        if matches!(self.auth, AuthMethod::OAuth2(_)) && !has_oauth_application {
            return Err(NotReady::NoOAuthApplication);
        }
        Ok(())
    }

    /// Whether it runs on the customer's own computer.
    pub fn is_offline_connector(&self) -> bool {
        matches!(self.auth, AuthMethod::DesktopConnector)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integration(auth: AuthMethod, import_only: bool) -> Integration {
        Integration {
            key: PlatformKey::parse("abcd").unwrap(),
            name: "Test".into(),
            source_type: SourceType::Accounting,
            is_beta: false,
            auth,
            device: DeviceSupport::default(),
            data_types: vec![],
            enabled_by_default: true,
            brand_colour: "#000000".into(),
            import_only,
            aliases: vec![],
            popularity: 0,
        }
    }

    #[test]
    fn a_customer_is_offered_only_what_they_can_connect_and_the_first_reason_is_given() {
        let oauth = || {
            AuthMethod::OAuth2(OAuthSettings {
                authorize_url: String::new(),
                token_url: String::new(),
                revoke_url: None,
                scopes: vec![],
                client_auth: ClientAuthMethod::Post,
            })
        };
        let credentials = integration(AuthMethod::Credentials(vec![]), false);
        let imported = integration(AuthMethod::Credentials(vec![]), true);

        assert_eq!(
            integration(oauth(), false).readiness(true, false),
            Err(NotReady::NoOAuthApplication)
        );
        assert_eq!(integration(oauth(), false).readiness(true, true), Ok(()));
        assert_eq!(
            integration(oauth(), false).readiness(false, true),
            Err(NotReady::Disabled)
        );
        assert_eq!(credentials.readiness(true, false), Ok(()));
        assert_eq!(imported.readiness(true, true), Err(NotReady::ImportOnly));
        assert_eq!(
            integration(AuthMethod::DesktopConnector, false).readiness(true, false),
            Ok(())
        );
    }

    #[test]
    fn platform_keys_are_four_lower_case_letters() {
        assert!(PlatformKey::parse("gbol").is_ok());
        for bad in ["GBOL", "gbo", "gbol1", "gb0l", "", "ğbol"] {
            assert!(PlatformKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_category_has_source_types_and_each_maps_back() {
        for category in crate::link_settings::CATEGORIES {
            let types = SourceType::of_category(category);
            assert!(!types.is_empty(), "{category}");
            assert!(types.iter().all(|t| t.category() == Some(category)));
        }
        assert_eq!(
            SourceType::of_category("banking"),
            [SourceType::Banking, SourceType::BankFeed]
        );
        assert_eq!(SourceType::Expense.category(), None);
    }

    #[test]
    fn source_types_parse_regardless_of_case() {
        assert_eq!(
            SourceType::parse("accounting"),
            Some(SourceType::Accounting)
        );
        assert_eq!(SourceType::parse("BANKFEED"), Some(SourceType::BankFeed));
        assert_eq!(SourceType::parse("crm"), None);
    }
}
