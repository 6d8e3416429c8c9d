//! Every encrypted column, read and rewritten in one way for key rotation,
//! for both stores.

use async_trait::async_trait;
use domain::ids::{ClientId, ConnectionId};
use domain::integration::PlatformKey;
use domain::ports::{RepoError, Reseal, SecretCount, SecretRepository, StoredSecret};
use domain::secrets::{SealedSecret, SecretClass, SecretLocation};
use uuid::Uuid;

use crate::error::repo_error;
use crate::SqlStore;

/// Where one class of secret is kept: its table, the columns that name its
/// record (a UUID column, a text column, or both, in that order), and the
/// key version and ciphertext columns.
struct Columns {
    table: &'static str,
    id: Option<&'static str>,
    name: Option<&'static str>,
    version: &'static str,
    bytes: &'static str,
}

impl Columns {
    fn of(class: SecretClass) -> Self {
        let (table, id, name, version, bytes) = match class {
            SecretClass::ConnectionSecret => (
                "connection_secrets",
                Some("connection_id"),
                None,
                "key_version",
                "ciphertext",
            ),
            SecretClass::IntegrationClientSecret => (
                "integration_settings",
                Some("client_id"),
                Some("platform_key"),
                "oauth_secret_key_version",
                "oauth_client_secret",
            ),
            SecretClass::WebhookSecret => {
                ("webhooks", Some("id"), None, "secret_key_version", "secret")
            }
            SecretClass::WebhookPreviousSecret => (
                "webhooks",
                Some("id"),
                None,
                "previous_key_version",
                "previous_secret",
            ),
            SecretClass::OAuthVerifier => (
                "oauth_states",
                None,
                Some("state_hash"),
                "verifier_key_version",
                "verifier",
            ),
            SecretClass::CredentialsVerifierSecret => (
                "integration_settings",
                Some("client_id"),
                Some("platform_key"),
                "verifier_secret_key_version",
                "verifier_secret",
            ),
        };
        Self {
            table,
            id,
            name,
            version,
            bytes,
        }
    }

    /// The record's key columns, comma-separated.
    fn keys(&self) -> String {
        [self.id, self.name]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key_count(&self) -> usize {
        usize::from(self.id.is_some()) + usize::from(self.name.is_some())
    }

    /// Placeholders for the key columns, numbered from `first`.
    fn key_placeholders(&self, first: usize) -> String {
        (first..first + self.key_count())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn select(&self, after: bool) -> String {
        let keys = self.keys();
        let (cursor, limit) = if after {
            (
                format!(" AND ({keys}) > ({})", self.key_placeholders(2)),
                2 + self.key_count(),
            )
        } else {
            (String::new(), 2)
        };
        format!(
            "SELECT {} AS id, {} AS name, CAST({} AS BIGINT) AS key_version, {} AS bytes \
             FROM {} WHERE {} IS NOT NULL AND {} <> $1{cursor} ORDER BY {keys} LIMIT ${limit}",
            self.id.unwrap_or("NULL"),
            self.name.unwrap_or("NULL"),
            self.version,
            self.bytes,
            self.table,
            self.bytes,
            self.version,
        )
    }

    fn update(&self) -> String {
        format!(
            "UPDATE {} SET {} = $1, {} = $2 WHERE {} = $3 AND {} = $4 AND ({}) = ({})",
            self.table,
            self.bytes,
            self.version,
            self.version,
            self.bytes,
            self.keys(),
            self.key_placeholders(5),
        )
    }

    fn count(&self) -> String {
        format!(
            "SELECT CAST({v} AS BIGINT) AS key_version, COUNT(*) AS count FROM {} \
             WHERE {} IS NOT NULL GROUP BY {v} ORDER BY {v}",
            self.table,
            self.bytes,
            v = self.version,
        )
    }
}

/// The key values of a location, in the order of [`Columns::keys`].
fn key_values(location: &SecretLocation) -> (Option<Uuid>, Option<String>) {
    match location {
        SecretLocation::Connection(id) => (Some(id.as_uuid()), None),
        SecretLocation::IntegrationClient(client, key)
        | SecretLocation::CredentialsVerifier(client, key) => {
            (Some(client.as_uuid()), Some(key.as_str().to_owned()))
        }
        SecretLocation::Webhook(id) | SecretLocation::WebhookPrevious(id) => (Some(*id), None),
        SecretLocation::OAuthState(hash) => (None, Some(hash.clone())),
    }
}

#[derive(sqlx::FromRow)]
struct SecretRow {
    id: Option<Uuid>,
    name: Option<String>,
    key_version: i64,
    bytes: Vec<u8>,
}

impl SecretRow {
    fn into_stored(self, class: SecretClass) -> Result<StoredSecret, RepoError> {
        let broken =
            || RepoError::Failure(format!("a stored secret of class {class:?} has no key"));
        let location = match class {
            SecretClass::ConnectionSecret => {
                SecretLocation::Connection(ConnectionId::from(self.id.ok_or_else(broken)?))
            }
            SecretClass::IntegrationClientSecret => SecretLocation::IntegrationClient(
                ClientId::from(self.id.ok_or_else(broken)?),
                PlatformKey::parse(&self.name.ok_or_else(broken)?)
                    .map_err(|e| RepoError::Failure(e.message))?,
            ),
            SecretClass::WebhookSecret => SecretLocation::Webhook(self.id.ok_or_else(broken)?),
            SecretClass::WebhookPreviousSecret => {
                SecretLocation::WebhookPrevious(self.id.ok_or_else(broken)?)
            }
            SecretClass::OAuthVerifier => SecretLocation::OAuthState(self.name.ok_or_else(broken)?),
            SecretClass::CredentialsVerifierSecret => SecretLocation::CredentialsVerifier(
                ClientId::from(self.id.ok_or_else(broken)?),
                PlatformKey::parse(&self.name.ok_or_else(broken)?)
                    .map_err(|e| RepoError::Failure(e.message))?,
            ),
        };
        Ok(StoredSecret {
            location,
            sealed: SealedSecret {
                key_version: version(self.key_version)?,
                bytes: self.bytes,
            },
        })
    }
}

fn version(stored: i64) -> Result<u32, RepoError> {
    u32::try_from(stored).map_err(|_| RepoError::Failure(format!("stored key version {stored}")))
}

macro_rules! secret_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl SecretRepository for SqlStore<$db> {
                async fn secrets_to_reseal(
                    &self,
                    class: SecretClass,
                    current: u32,
                    after: Option<&SecretLocation>,
                    limit: u32,
                ) -> Result<Vec<StoredSecret>, RepoError> {
                    let columns = Columns::of(class);
                    let sql = columns.select(after.is_some());
                    let mut query = sqlx::query_as::<_, SecretRow>(&sql).bind(i64::from(current));
                    if let Some(after) = after {
                        let (id, name) = key_values(after);
                        if let Some(id) = id {
                            query = query.bind(id);
                        }
                        if let Some(name) = name {
                            query = query.bind(name);
                        }
                    }
                    let rows = query
                        .bind(i64::from(limit))
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    rows.into_iter().map(|row| row.into_stored(class)).collect()
                }

                async fn reseal_secrets(&self, reseals: &[Reseal]) -> Result<u64, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let mut written = 0;
                    for reseal in reseals {
                        let sql = Columns::of(reseal.location.class()).update();
                        let (id, name) = key_values(&reseal.location);
                        let mut query = sqlx::query(&sql)
                            .bind(reseal.new.bytes.as_slice())
                            .bind(i64::from(reseal.new.key_version))
                            .bind(i64::from(reseal.old.key_version))
                            .bind(reseal.old.bytes.as_slice());
                        if let Some(id) = id {
                            query = query.bind(id);
                        }
                        if let Some(name) = name {
                            query = query.bind(name);
                        }
                        written += query
                            .execute(&mut *tx)
                            .await
                            .map_err(repo_error)?
                            .rows_affected();
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(written)
                }

                async fn count_secrets(&self) -> Result<Vec<SecretCount>, RepoError> {
                    let mut counts = Vec::new();
                    for class in SecretClass::ALL {
                        let rows: Vec<(i64, i64)> = sqlx::query_as(&Columns::of(class).count())
                            .fetch_all(&mut *self.connection().await?)
                            .await
                            .map_err(repo_error)?;
                        for (key_version, count) in rows {
                            counts.push(SecretCount {
                                class,
                                key_version: version(key_version)?,
                                count: u64::try_from(count).unwrap_or_default(),
                            });
                        }
                    }
                    Ok(counts)
                }
            }
        }
    };
}

secret_repository!(sqlite, sqlx::Sqlite);
secret_repository!(postgres, sqlx::Postgres);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_the_class_s_own_columns() {
        let integration = Columns::of(SecretClass::IntegrationClientSecret);
        assert_eq!(
            integration.select(true),
            "SELECT client_id AS id, platform_key AS name, CAST(oauth_secret_key_version AS BIGINT) AS key_version, \
             oauth_client_secret AS bytes FROM integration_settings WHERE oauth_client_secret IS NOT NULL \
             AND oauth_secret_key_version <> $1 AND (client_id, platform_key) > ($2, $3) \
             ORDER BY client_id, platform_key LIMIT $4"
        );
        assert_eq!(
            Columns::of(SecretClass::OAuthVerifier).update(),
            "UPDATE oauth_states SET verifier = $1, verifier_key_version = $2 \
             WHERE verifier_key_version = $3 AND verifier = $4 AND (state_hash) = ($5)"
        );
        assert!(Columns::of(SecretClass::WebhookPreviousSecret)
            .select(false)
            .ends_with("WHERE previous_secret IS NOT NULL AND previous_key_version <> $1 ORDER BY id LIMIT $2"));
    }
}
