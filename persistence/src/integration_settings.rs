//! Clients' integration settings, for both stores.

use async_trait::async_trait;
use domain::ids::ClientId;
use domain::integration::PlatformKey;
use domain::ports::{
    CredentialsVerifier, IntegrationSetting, IntegrationSettingsRepository, OAuthClient, RepoError,
};
use domain::secrets::SealedSecret;
use uuid::Uuid;

use crate::error::repo_error;
use crate::rows::now;
use crate::SqlStore;

const COLUMNS: &str =
    "platform_key, enabled, oauth_client_id, oauth_client_secret, oauth_secret_key_version, \
     verifier_url, verifier_secret, verifier_secret_key_version, connector_url";

#[derive(sqlx::FromRow)]
struct SettingRow {
    platform_key: String,
    enabled: bool,
    oauth_client_id: Option<String>,
    oauth_client_secret: Option<Vec<u8>>,
    oauth_secret_key_version: Option<i32>,
    verifier_url: Option<String>,
    verifier_secret: Option<Vec<u8>>,
    verifier_secret_key_version: Option<i32>,
    connector_url: Option<String>,
}

/// A sealed secret from its columns.
fn sealed(bytes: Vec<u8>, version: i32) -> Result<SealedSecret, RepoError> {
    Ok(SealedSecret {
        key_version: u32::try_from(version)
            .map_err(|_| RepoError::Failure("bad key version".into()))?,
        bytes,
    })
}

impl TryFrom<SettingRow> for IntegrationSetting {
    type Error = RepoError;

    fn try_from(row: SettingRow) -> Result<Self, RepoError> {
        let platform_key = PlatformKey::parse(&row.platform_key).map_err(|e| {
            RepoError::Failure(format!("stored integration setting: {}", e.message))
        })?;
        let oauth_client = match (
            row.oauth_client_id,
            row.oauth_client_secret,
            row.oauth_secret_key_version,
        ) {
            (Some(client_id), Some(bytes), Some(version)) => Some(OAuthClient {
                client_id,
                client_secret: sealed(bytes, version)?,
            }),
            _ => None,
        };
        let verifier = match (
            row.verifier_url,
            row.verifier_secret,
            row.verifier_secret_key_version,
        ) {
            (Some(url), Some(bytes), Some(version)) => Some(CredentialsVerifier {
                url,
                secret: sealed(bytes, version)?,
            }),
            _ => None,
        };
        Ok(Self {
            platform_key,
            enabled: row.enabled,
            oauth_client,
            verifier,
            connector_url: row.connector_url,
        })
    }
}

macro_rules! integration_settings_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl IntegrationSettingsRepository for SqlStore<$db> {
                async fn list_integration_settings(&self, client: ClientId) -> Result<Vec<IntegrationSetting>, RepoError> {
                    let sql = format!("SELECT {COLUMNS} FROM integration_settings WHERE client_id = $1 ORDER BY platform_key");
                    let rows: Vec<SettingRow> = sqlx::query_as(&sql)
                        .bind(client.as_uuid())
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    rows.into_iter().map(IntegrationSetting::try_from).collect()
                }

                async fn get_integration_setting(
                    &self,
                    client: ClientId,
                    key: &PlatformKey,
                ) -> Result<Option<IntegrationSetting>, RepoError> {
                    let sql = format!("SELECT {COLUMNS} FROM integration_settings WHERE client_id = $1 AND platform_key = $2");
                    let row: Option<SettingRow> = sqlx::query_as(&sql)
                        .bind(client.as_uuid())
                        .bind(key.as_str())
                        .fetch_optional(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    row.map(IntegrationSetting::try_from).transpose()
                }

                async fn put_integration_setting(
                    &self,
                    client: ClientId,
                    setting: &IntegrationSetting,
                ) -> Result<(), RepoError> {
                    let secret = setting.oauth_client.as_ref().map(|c| &c.client_secret);
                    let verifier = setting.verifier.as_ref();
                    sqlx::query(
                        "INSERT INTO integration_settings \
                         (client_id, platform_key, enabled, oauth_client_id, oauth_client_secret, oauth_secret_key_version, updated_at, \
                          verifier_url, verifier_secret, verifier_secret_key_version, connector_url) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                         ON CONFLICT (client_id, platform_key) DO UPDATE SET enabled = excluded.enabled, \
                         oauth_client_id = excluded.oauth_client_id, oauth_client_secret = excluded.oauth_client_secret, \
                         oauth_secret_key_version = excluded.oauth_secret_key_version, updated_at = excluded.updated_at, \
                         verifier_url = excluded.verifier_url, verifier_secret = excluded.verifier_secret, \
                         verifier_secret_key_version = excluded.verifier_secret_key_version, \
                         connector_url = excluded.connector_url",
                    )
                    .bind::<Uuid>(client.as_uuid())
                    .bind(setting.platform_key.as_str())
                    .bind(setting.enabled)
                    .bind(setting.oauth_client.as_ref().map(|c| c.client_id.as_str()))
                    .bind(secret.map(|s| s.bytes.as_slice()))
                    .bind(secret.map(|s| i32::try_from(s.key_version).unwrap_or(i32::MAX)))
                    .bind(now())
                    .bind(verifier.map(|v| v.url.as_str()))
                    .bind(verifier.map(|v| v.secret.bytes.as_slice()))
                    .bind(verifier.map(|v| i32::try_from(v.secret.key_version).unwrap_or(i32::MAX)))
                    .bind(setting.connector_url.as_deref())
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(())
                }
            }
        }
    };
}

integration_settings_repository!(sqlite, sqlx::Sqlite);
integration_settings_repository!(postgres, sqlx::Postgres);
