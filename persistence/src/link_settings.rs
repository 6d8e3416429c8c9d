//! Versions of clients' link settings, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ids::ClientId;
use domain::ports::{LinkSettingsRepository, RepoError, VersionedDocument};

use crate::error::repo_error;
use crate::rows::now;
use crate::SqlStore;

#[derive(sqlx::FromRow)]
struct Row {
    version: i64,
    document: String,
    created_at: DateTime<Utc>,
}

impl From<Row> for VersionedDocument {
    fn from(row: Row) -> Self {
        Self {
            version: row.version,
            document: row.document,
            created: row.created_at,
        }
    }
}

macro_rules! link_settings_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl LinkSettingsRepository for SqlStore<$db> {
                async fn latest_link_settings(&self, client: ClientId) -> Result<Option<VersionedDocument>, RepoError> {
                    let row: Option<Row> = sqlx::query_as(
                        "SELECT version, document, created_at FROM link_settings WHERE client_id = $1 ORDER BY version DESC LIMIT 1",
                    )
                    .bind(client.as_uuid())
                    .fetch_optional(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(row.map(Into::into))
                }

                async fn link_settings_version(&self, client: ClientId, version: i64) -> Result<Option<VersionedDocument>, RepoError> {
                    let row: Option<Row> = sqlx::query_as(
                        "SELECT version, document, created_at FROM link_settings WHERE client_id = $1 AND version = $2",
                    )
                    .bind(client.as_uuid())
                    .bind(version)
                    .fetch_optional(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(row.map(Into::into))
                }

                async fn add_link_settings(&self, client: ClientId, version: i64, document: &str) -> Result<VersionedDocument, RepoError> {
                    let created = now();
                    sqlx::query("INSERT INTO link_settings (client_id, version, document, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(client.as_uuid())
                        .bind(version)
                        .bind(document)
                        .bind(created)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(VersionedDocument { version, document: document.to_owned(), created })
                }
            }
        }
    };
}

link_settings_repository!(sqlite, sqlx::Sqlite);
link_settings_repository!(postgres, sqlx::Postgres);
