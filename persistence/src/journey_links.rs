//! Signed journey links, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ids::{ClientId, CompanyId};
use domain::journey_link::{JourneyLink, LinkUse};
use domain::ports::{JourneyLinkRepository, RepoError};
use uuid::Uuid;

use crate::error::repo_error;
use crate::SqlStore;

const COLUMNS: &str = "id, client_id, company_id, created_at, expires_at, used_at, revoked_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    client_id: Uuid,
    company_id: Uuid,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<Row> for JourneyLink {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            client_id: row.client_id.into(),
            company_id: row.company_id.into(),
            created: row.created_at,
            expires_at: row.expires_at,
            used_at: row.used_at,
            revoked_at: row.revoked_at,
        }
    }
}

macro_rules! journey_link_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl JourneyLinkRepository for SqlStore<$db> {
                async fn create_journey_link(&self, link: &JourneyLink, token_hash: &str) -> Result<(), RepoError> {
                    let inserted = sqlx::query(
                        "INSERT INTO journey_links (id, client_id, company_id, token_hash, created_at, expires_at) \
                         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM companies WHERE id = $3 AND client_id = $2)",
                    )
                    .bind(link.id)
                    .bind(link.client_id.as_uuid())
                    .bind(link.company_id.as_uuid())
                    .bind(token_hash)
                    .bind(link.created)
                    .bind(link.expires_at)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if inserted == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                }

                async fn use_journey_link(&self, company: CompanyId, token_hash: &str, now: DateTime<Utc>) -> Result<LinkUse, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // The guarded update is what makes a link single-use: one caller changes the row.
                    let claimed = sqlx::query(
                        "UPDATE journey_links SET used_at = $1 WHERE token_hash = $2 AND company_id = $3 \
                         AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
                    )
                    .bind(now)
                    .bind(token_hash)
                    .bind(company.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    let sql = format!("SELECT {COLUMNS} FROM journey_links WHERE token_hash = $1");
                    let row: Option<Row> = sqlx::query_as(&sql)
                        .bind(token_hash)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(match row.map(JourneyLink::from) {
                        None => LinkUse::Unknown,
                        Some(link) if claimed == 1 => LinkUse::Opened(link),
                        Some(link) if link.revoked_at.is_none() && link.used_at.is_some() => LinkUse::AlreadyUsed(link),
                        Some(link) => LinkUse::Ended(link),
                    })
                }

                async fn peek_journey_link(&self, token_hash: &str) -> Result<Option<JourneyLink>, RepoError> {
                    let sql = format!("SELECT {COLUMNS} FROM journey_links WHERE token_hash = $1");
                    let row: Option<Row> = sqlx::query_as(&sql)
                        .bind(token_hash)
                        .fetch_optional(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(row.map(JourneyLink::from))
                }

                async fn find_journey_link(&self, id: Uuid) -> Result<Option<JourneyLink>, RepoError> {
                    let sql = format!("SELECT {COLUMNS} FROM journey_links WHERE id = $1");
                    let row: Option<Row> = sqlx::query_as(&sql)
                        .bind(id)
                        .fetch_optional(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(row.map(JourneyLink::from))
                }

                async fn revoke_journey_link(&self, client: ClientId, company: CompanyId, id: Uuid, now: DateTime<Utc>) -> Result<(), RepoError> {
                    let found = sqlx::query(
                        "UPDATE journey_links SET revoked_at = COALESCE(revoked_at, $1) \
                         WHERE id = $2 AND company_id = $3 AND client_id = $4",
                    )
                    .bind(now)
                    .bind(id)
                    .bind(company.as_uuid())
                    .bind(client.as_uuid())
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if found == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                }
            }
        }
    };
}

journey_link_repository!(sqlite, sqlx::Sqlite);
journey_link_repository!(postgres, sqlx::Postgres);
