use domain::integration::{AuthMethod, FieldKind, NotReady, SourceType};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::PagingInfo;
use crate::catalogue::Entry;

/// The kind of platform.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum SourceTypeBody {
    Accounting,
    Banking,
    BankFeed,
    Commerce,
    Expense,
    Other,
    Unknown,
}

impl From<SourceType> for SourceTypeBody {
    fn from(value: SourceType) -> Self {
        match value {
            SourceType::Accounting => Self::Accounting,
            SourceType::Banking => Self::Banking,
            SourceType::BankFeed => Self::BankFeed,
            SourceType::Commerce => Self::Commerce,
            SourceType::Expense => Self::Expense,
            SourceType::Other => Self::Other,
            SourceType::Unknown => Self::Unknown,
        }
    }
}

/// A platform a customer can connect.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "key": "gbol", "logoUrl": "http://localhost:8080/assets/integrations/gbol/square.svg", "name": "Xero",
    "enabled": true, "sourceId": "3ab3e3a4-4c3b-5d0e-9b0e-1a5c4a8e9f10", "sourceType": "Accounting",
    "integrationId": "9f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f", "isOfflineConnector": false, "isBeta": false,
    "datatypeFeatures": [{"dataType": "invoices", "supportedFeatures": [{"featureType": "Get", "featureState": "Release"}]}],
    "authMethod": "OAuth2", "scopes": ["accounting.transactions.read", "offline_access"],
    "deviceSupport": {"desktopOnly": false, "needsDesktopPackage": false, "mobileOptimized": true}
}))]
pub struct IntegrationBody {
    /// The platform's four-letter key.
    pub key: String,
    /// A square logo, served by this service.
    pub logo_url: String,
    pub name: String,
    /// Whether the client's customers may use it.
    pub enabled: bool,
    /// Whether a customer can connect it in a journey now: enabled, not
    /// import-only, and (OAuth) with an OAuth application registered in its
    /// settings. Link API's journeys offer only these; yours should too.
    pub ready_for_customers: bool,
    /// Why not, when it is not: `Disabled`, `NoOAuthApplication` (register
    /// one with `PUT /integrations/{platformKey}/settings`) or `ImportOnly`
    /// (its credential is obtained by your back end, which imports it with
    /// `PUT …/authorization`; no customer is asked for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "NoOAuthApplication")]
    pub not_ready_reason: Option<&'static str>,
    /// Whether credentials typed for it are checked by the client's
    /// verifier before they link (`credentialsVerifierUrl` in its settings);
    /// when not, a journey says they were saved, not that they work.
    pub credentials_checked: bool,
    /// Where customers download its connector (DesktopConnector integrations whose client set one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desktop_connector_url: Option<String>,
    /// Other names customers search it by (`qbo`, `intuit` …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// How widely it is used, for ordering a list: higher first.
    pub popularity: u32,
    pub source_id: Uuid,
    pub source_type: SourceTypeBody,
    pub integration_id: Uuid,
    /// Runs on the customer's own computer.
    pub is_offline_connector: bool,
    pub is_beta: bool,
    pub datatype_features: Vec<DataTypeFeature>,
    /// How the customer authorizes: `OAuth2`, `Credentials` or `DesktopConnector`.
    pub auth_method: &'static str,
    /// The form a journey UI shows for `Credentials` integrations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credential_fields: Vec<CredentialFieldBody>,
    /// The scopes requested from `OAuth2` platforms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// What to warn about before the customer starts.
    pub device_support: DeviceSupportBody,
}

/// A data type the platform provides.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeFeature {
    pub data_type: String,
    pub supported_features: Vec<SupportedFeature>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportedFeature {
    #[schema(example = "Get")]
    pub feature_type: &'static str,
    #[schema(example = "Release")]
    pub feature_state: &'static str,
}

/// One field of a credential form.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialFieldBody {
    /// The key to send in `PUT …/authorization`.
    pub name: String,
    pub label: String,
    /// `text`, `password`, `url`, `email` or `number`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Stored encrypted and never shown again.
    pub secret: bool,
    pub required: bool,
    /// A regular expression the whole value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// Device compatibility.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSupportBody {
    /// Only runs on a desktop computer.
    pub desktop_only: bool,
    /// Needs a package installed in the platform before connecting.
    pub needs_desktop_package: bool,
    /// Its sign-in pages work on a phone.
    pub mobile_optimized: bool,
}

impl IntegrationBody {
    pub fn new(
        entry: &Entry,
        enabled: bool,
        readiness: Result<(), NotReady>,
        setting: Option<&domain::ports::IntegrationSetting>,
        public_url: &str,
    ) -> Self {
        let credentials_checked = setting.is_some_and(|s| s.verifier.is_some());
        let integration = &entry.integration;
        let (auth_method, credential_fields, scopes) = match &integration.auth {
            AuthMethod::OAuth2(oauth) => ("OAuth2", Vec::new(), oauth.scopes.clone()),
            AuthMethod::Credentials(fields) => (
                "Credentials",
                fields.iter().map(CredentialFieldBody::from).collect(),
                Vec::new(),
            ),
            AuthMethod::DesktopConnector => ("DesktopConnector", Vec::new(), Vec::new()),
        };
        Self {
            key: integration.key.to_string(),
            logo_url: image_url(public_url, integration.key.as_str(), "square"),
            name: integration.name.clone(),
            enabled,
            ready_for_customers: readiness.is_ok(),
            not_ready_reason: readiness.err().map(NotReady::as_str),
            credentials_checked,
            desktop_connector_url: setting.and_then(|s| s.connector_url.clone()),
            aliases: integration.aliases.clone(),
            popularity: integration.popularity,
            source_id: entry.source_id,
            source_type: integration.source_type.into(),
            integration_id: entry.integration_id,
            is_offline_connector: integration.is_offline_connector(),
            is_beta: integration.is_beta,
            datatype_features: integration
                .data_types
                .iter()
                .map(|data_type| DataTypeFeature {
                    data_type: data_type.clone(),
                    supported_features: vec![SupportedFeature {
                        feature_type: "Get",
                        feature_state: "Release",
                    }],
                })
                .collect(),
            auth_method,
            credential_fields,
            scopes,
            device_support: DeviceSupportBody {
                desktop_only: integration.device.desktop_only,
                needs_desktop_package: integration.device.needs_desktop_package,
                mobile_optimized: !integration.device.not_mobile_optimized
                    && !integration.device.desktop_only,
            },
        }
    }
}

impl From<&domain::integration::CredentialField> for CredentialFieldBody {
    fn from(field: &domain::integration::CredentialField) -> Self {
        Self {
            name: field.name.clone(),
            label: field.label.clone(),
            kind: match field.kind {
                FieldKind::Text => "text",
                FieldKind::Password => "password",
                FieldKind::Url => "url",
                FieldKind::Email => "email",
                FieldKind::Number => "number",
            },
            secret: field.secret,
            required: field.required,
            pattern: field.pattern.clone(),
        }
    }
}

/// The URL of one of an integration's images.
pub fn image_url(public_url: &str, key: &str, variant: &str) -> String {
    format!("{public_url}/assets/integrations/{key}/{variant}.svg")
}

/// A page of integrations.
#[derive(Debug, Serialize, ToSchema)]
pub struct Integrations {
    pub results: Vec<IntegrationBody>,
    #[serde(flatten)]
    pub paging: PagingInfo,
}

/// Filters, order and paging of the integration list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct IntegrationListParams {
    /// Page number, from 1.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647, default = 1, example = 1)]
    pub page: Option<i64>,
    /// Number of integrations in a page, from 1 to 5000.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5000, default = 100, example = 100)]
    pub page_size: Option<i64>,
    /// A filter on `key`, `name`, `sourceType`, `enabled`, `isBeta`,
    /// `isOfflineConnector` and `readyForCustomers`; text compares without regard to case.
    #[param(example = "sourceType=Accounting && enabled=true")]
    pub query: Option<String>,
    /// `name` (the default), `key` or `sourceType`, with a leading `-` for descending.
    #[param(example = "name")]
    pub order_by: Option<String>,
}

/// Images a journey UI can show for an integration.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    pub logo: BrandingLogo,
    pub button: BrandingButton,
    pub source_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrandingLogo {
    pub full: BrandingImage,
    pub square: BrandingImage,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrandingButton {
    pub default: BrandingImage,
    pub hover: BrandingImage,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrandingImage {
    pub image: ImageReference,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageReference {
    /// Served by this service, without authentication.
    pub src: String,
    pub alt: String,
}

impl Branding {
    pub fn new(entry: &Entry, public_url: &str) -> Self {
        let key = entry.integration.key.as_str();
        let name = &entry.integration.name;
        let image = |variant: &str, what: &str| BrandingImage {
            image: ImageReference {
                src: image_url(public_url, key, variant),
                alt: format!("{name} {what}"),
            },
        };
        Self {
            logo: BrandingLogo {
                full: image("full", "logo"),
                square: image("square", "icon"),
            },
            button: BrandingButton {
                default: image("button", "button"),
                hover: image("button-hover", "button"),
            },
            source_id: entry.source_id,
        }
    }
}

/// A client's settings for one integration. The OAuth client secret is never returned.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"platformKey": "gbol", "enabled": true, "oauthClientId": "8F3C2A1B", "hasOAuthClientSecret": true}))]
pub struct IntegrationSettingsBody {
    pub platform_key: String,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_client_id: Option<String>,
    #[serde(rename = "hasOAuthClientSecret")]
    pub has_oauth_client_secret: bool,
    /// Where Link API checks the credentials a customer types before it
    /// links them (Credentials integrations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_verifier_url: Option<String>,
    /// Where customers download a desktop platform's connector (DesktopConnector integrations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desktop_connector_url: Option<String>,
    /// The secret that signs the verifier's calls (as webhooks are signed):
    /// answered once, when the verifier is set; keep it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_verifier_secret: Option<String>,
}

/// Changes to a client's settings for one integration; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"enabled": true, "oauthClientId": "8F3C2A1B", "oauthClientSecret": "s3cr3t-from-the-platform"}))]
pub struct IntegrationSettingsUpdate {
    /// Whether the client's customers may use the integration.
    pub enabled: Option<bool>,
    /// The client's OAuth application id at the platform; send it with the
    /// secret. Empty strings for both remove the application.
    pub oauth_client_id: Option<String>,
    /// The application's secret: stored encrypted, never returned.
    pub oauth_client_secret: Option<String>,
    /// A Credentials integration's verifier: an HTTPS URL of yours (HTTP on
    /// loopback where webhooks may reach private addresses) that Link API
    /// calls with the credentials a customer typed before it links them. A
    /// new URL gets a new signing secret, answered once; an empty string
    /// removes the verifier.
    #[schema(example = "https://app.example.com/link/verify-credentials")]
    pub credentials_verifier_url: Option<String>,
    /// A DesktopConnector integration's download page for its connector (https), linked from
    /// the journey's desktop screen; an empty string removes it.
    #[schema(example = "https://app.example.com/downloads/quickbooks-connector")]
    pub desktop_connector_url: Option<String>,
}
