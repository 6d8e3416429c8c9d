//! The integration catalogue, shipped with the service as data
//! (`api/catalogue/integrations.json`) and checked when it is loaded.

use domain::integration::{
    AuthMethod, ClientAuthMethod, CredentialField, DeviceSupport, FieldKind, Integration,
    OAuthSettings, PlatformKey, SourceType,
};
use domain::query::{QuerySchema, Record, Value, ValueKind};
use serde::Deserialize;
use uuid::Uuid;

const DATA: &str = include_str!("../catalogue/integrations.json");

/// Names the ids of catalogue entries, so they stay the same across
/// restarts, instances and versions.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_5b0e_8f3a_4c27_9d41_2e7a_b05c_93f1);

/// One integration with its stable ids.
#[derive(Debug, Clone)]
pub struct Entry {
    pub integration: Integration,
    pub integration_id: Uuid,
    pub source_id: Uuid,
}

/// Every integration the service knows, ordered by name.
#[derive(Debug, Clone)]
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// Loads the shipped catalogue, then the entries of `extra` (the JSON of
    /// `LINK_CATALOGUE_FILE`), which add platforms or replace shipped ones by
    /// key. `{publicUrl}` in OAuth endpoints becomes the service's public URL.
    pub fn load(public_url: &str, extra: Option<&str>) -> Result<Self, String> {
        let mut raw: Vec<RawIntegration> = serde_json::from_str(DATA)
            .map_err(|e| format!("the integration catalogue is not valid: {e}"))?;
        if let Some(extra) = extra {
            let added: Vec<RawIntegration> = serde_json::from_str(extra)
                .map_err(|e| format!("LINK_CATALOGUE_FILE is not a valid catalogue: {e}"))?;
            raw.retain(|shipped| !added.iter().any(|a| a.key == shipped.key));
            raw.extend(added);
        }
        let mut entries = Vec::with_capacity(raw.len());
        for item in raw {
            let integration = item.into_domain(public_url)?;
            if entries
                .iter()
                .any(|e: &Entry| e.integration.key == integration.key)
            {
                return Err(format!("the catalogue lists {} twice", integration.key));
            }
            let key = integration.key.as_str();
            entries.push(Entry {
                integration_id: Uuid::new_v5(
                    &ID_NAMESPACE,
                    format!("integration:{key}").as_bytes(),
                ),
                source_id: Uuid::new_v5(&ID_NAMESPACE, format!("source:{key}").as_bytes()),
                integration,
            });
        }
        entries.sort_by(|a, b| a.integration.name.cmp(&b.integration.name));
        Ok(Self { entries })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, key: &PlatformKey) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.integration.key == key)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawIntegration {
    key: String,
    name: String,
    source_type: String,
    brand_colour: String,
    data_types: Vec<String>,
    #[serde(default)]
    beta: bool,
    #[serde(default = "enabled_by_default")]
    enabled_by_default: bool,
    #[serde(default)]
    device: RawDevice,
    #[serde(default)]
    import_only: bool,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    popularity: u32,
    auth: RawAuth,
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawDevice {
    #[serde(default)]
    desktop_only: bool,
    #[serde(default)]
    needs_desktop_package: bool,
    #[serde(default)]
    not_mobile_optimized: bool,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
enum RawAuth {
    #[serde(rename_all = "camelCase")]
    Oauth2 {
        authorize_url: String,
        token_url: String,
        revoke_url: Option<String>,
        scopes: Vec<String>,
        client_auth: String,
    },
    Credentials {
        fields: Vec<RawField>,
    },
    Desktop,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawField {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    required: bool,
    pattern: Option<String>,
}

impl RawIntegration {
    fn into_domain(self, public_url: &str) -> Result<Integration, String> {
        let key = PlatformKey::parse(&self.key).map_err(|e| e.message)?;
        let source_type = SourceType::parse(&self.source_type)
            .ok_or_else(|| format!("{key}: unknown sourceType {}", self.source_type))?;
        let with_url = |url: String| url.replace("{publicUrl}", public_url);
        let auth = match self.auth {
            RawAuth::Oauth2 {
                authorize_url,
                token_url,
                revoke_url,
                scopes,
                client_auth,
            } => AuthMethod::OAuth2(OAuthSettings {
                authorize_url: with_url(authorize_url),
                token_url: with_url(token_url),
                revoke_url: revoke_url.map(with_url),
                scopes,
                client_auth: match client_auth.as_str() {
                    "basic" => ClientAuthMethod::Basic,
                    "post" => ClientAuthMethod::Post,
                    other => return Err(format!("{key}: unknown clientAuth {other}")),
                },
            }),
            RawAuth::Credentials { fields } => AuthMethod::Credentials(
                fields
                    .into_iter()
                    .map(|f| f.into_domain(&key))
                    .collect::<Result<_, _>>()?,
            ),
            RawAuth::Desktop => AuthMethod::DesktopConnector,
        };
        Ok(Integration {
            key,
            name: self.name,
            source_type,
            is_beta: self.beta,
            auth,
            device: DeviceSupport {
                desktop_only: self.device.desktop_only,
                needs_desktop_package: self.device.needs_desktop_package,
                not_mobile_optimized: self.device.not_mobile_optimized,
            },
            data_types: self.data_types,
            enabled_by_default: self.enabled_by_default,
            brand_colour: self.brand_colour,
            import_only: self.import_only,
            aliases: self.aliases.iter().map(|a| a.to_lowercase()).collect(),
            popularity: self.popularity,
        })
    }
}

impl RawField {
    fn into_domain(self, key: &PlatformKey) -> Result<CredentialField, String> {
        let kind = match self.kind.as_str() {
            "text" => FieldKind::Text,
            "password" => FieldKind::Password,
            "url" => FieldKind::Url,
            "email" => FieldKind::Email,
            "number" => FieldKind::Number,
            other => {
                return Err(format!(
                    "{key}: field {} has unknown type {other}",
                    self.name
                ))
            }
        };
        if let Some(pattern) = &self.pattern {
            regex_lite::Regex::new(pattern)
                .map_err(|e| format!("{key}: field {} pattern: {e}", self.name))?;
        }
        Ok(CredentialField {
            name: self.name,
            label: self.label,
            kind,
            secret: self.secret,
            required: self.required,
            pattern: self.pattern,
        })
    }
}

/// A queryable property of an integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationField {
    Key,
    Name,
    SourceType,
    Enabled,
    IsBeta,
    IsOfflineConnector,
    ReadyForCustomers,
}

/// The `query` and `orderBy` whitelist of `GET /integrations`.
pub struct IntegrationSchema;

impl QuerySchema for IntegrationSchema {
    type Field = IntegrationField;
    const RESOURCE: &'static str = "Integration";

    fn field(property: &str) -> Option<(IntegrationField, ValueKind)> {
        Some(match property {
            "key" => (IntegrationField::Key, ValueKind::Text),
            "name" => (IntegrationField::Name, ValueKind::Text),
            "sourceType" => (IntegrationField::SourceType, ValueKind::Text),
            "enabled" => (IntegrationField::Enabled, ValueKind::Bool),
            "isBeta" => (IntegrationField::IsBeta, ValueKind::Bool),
            "isOfflineConnector" => (IntegrationField::IsOfflineConnector, ValueKind::Bool),
            "readyForCustomers" => (IntegrationField::ReadyForCustomers, ValueKind::Bool),
            _ => return None,
        })
    }

    fn sort_field(property: &str) -> Option<IntegrationField> {
        match Self::field(property)? {
            (
                field @ (IntegrationField::Key
                | IntegrationField::Name
                | IntegrationField::SourceType),
                _,
            ) => Some(field),
            _ => None,
        }
    }
}

/// An entry as one client sees it.
pub struct ClientView<'a> {
    pub entry: &'a Entry,
    pub enabled: bool,
    pub readiness: Result<(), domain::integration::NotReady>,
}

impl Record<IntegrationField> for ClientView<'_> {
    fn value(&self, field: &IntegrationField) -> Option<Value> {
        let integration = &self.entry.integration;
        Some(match field {
            IntegrationField::Key => Value::Text(integration.key.to_string()),
            IntegrationField::Name => Value::Text(integration.name.clone()),
            IntegrationField::SourceType => {
                Value::Text(integration.source_type.as_str().to_owned())
            }
            IntegrationField::Enabled => Value::Bool(self.enabled),
            IntegrationField::IsBeta => Value::Bool(integration.is_beta),
            IntegrationField::IsOfflineConnector => Value::Bool(integration.is_offline_connector()),
            IntegrationField::ReadyForCustomers => Value::Bool(self.readiness.is_ok()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extra_file_adds_and_replaces_entries() {
        let extra = r##"[{"key": "gbol", "name": "Xero (EU)", "sourceType": "Accounting", "brandColour": "#000000",
            "dataTypes": [], "auth": {"kind": "desktop"}},
            {"key": "mock", "name": "Mock", "sourceType": "Banking", "brandColour": "#000000", "dataTypes": [],
            "auth": {"kind": "oauth2", "authorizeUrl": "http://127.0.0.1:1/a", "tokenUrl": "http://127.0.0.1:1/t", "scopes": [], "clientAuth": "post"}}]"##;

        let catalogue = Catalogue::load("http://a", Some(extra)).unwrap();

        assert_eq!(
            catalogue
                .get(&PlatformKey::parse("gbol").unwrap())
                .unwrap()
                .integration
                .name,
            "Xero (EU)"
        );
        assert!(catalogue
            .get(&PlatformKey::parse("mock").unwrap())
            .is_some());
        assert!(Catalogue::load("http://a", Some("[{}]")).is_err());
    }

    #[test]
    fn the_shipped_catalogue_loads_with_stable_ids() {
        let first = Catalogue::load("http://a", None).unwrap();
        let second = Catalogue::load("http://b", None).unwrap();

        assert!(first.entries().len() >= 21);
        let xero = |c: &Catalogue| {
            c.get(&PlatformKey::parse("gbol").unwrap())
                .unwrap()
                .integration_id
        };
        assert_eq!(xero(&first), xero(&second));
    }

    #[test]
    fn the_sandbox_lives_under_the_public_url() {
        let catalogue = Catalogue::load("http://link.test", None).unwrap();

        let sandbox = catalogue.get(&PlatformKey::parse("mqjo").unwrap()).unwrap();

        let AuthMethod::OAuth2(oauth) = &sandbox.integration.auth else {
            panic!("the sandbox uses OAuth")
        };
        assert!(oauth.authorize_url.starts_with("http://link.test/sandbox/"));
    }
}
