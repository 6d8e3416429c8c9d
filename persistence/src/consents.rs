//! The consent ledger, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::consent::{ConsentKind, ConsentRecord};
use domain::ids::{ClientId, CompanyId};
use domain::ports::{ConsentRepository, RepoError};
use uuid::Uuid;

use crate::error::repo_error;
use crate::SqlStore;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    sequence: i64,
    kind: String,
    categories: String,
    data_types: String,
    settings_version: i64,
    text_hash: String,
    locale: Option<String>,
    actor_name: Option<String>,
    actor_email: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    withdraws: Option<Uuid>,
    created_at: DateTime<Utc>,
    previous_hash: String,
    hash: String,
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl TryFrom<Row> for ConsentRecord {
    type Error = RepoError;

    fn try_from(row: Row) -> Result<Self, RepoError> {
        Ok(Self {
            id: row.id,
            sequence: row.sequence,
            kind: ConsentKind::parse(&row.kind)
                .ok_or_else(|| RepoError::Failure(format!("stored consent kind {}", row.kind)))?,
            categories: list(&row.categories),
            data_types: list(&row.data_types),
            settings_version: row.settings_version,
            text_hash: row.text_hash,
            locale: row.locale,
            actor_name: row.actor_name,
            actor_email: row.actor_email,
            ip: row.ip,
            user_agent: row.user_agent,
            withdraws: row.withdraws,
            created: row.created_at,
            previous_hash: row.previous_hash,
            hash: row.hash,
        })
    }
}

macro_rules! consent_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl ConsentRepository for SqlStore<$db> {
                async fn consent_ledger(&self, client: ClientId, company: CompanyId) -> Result<Vec<ConsentRecord>, RepoError> {
                    ensure_company!(&self.pool, client, company);
                    let rows: Vec<Row> = sqlx::query_as(
                        "SELECT id, sequence, kind, categories, data_types, settings_version, text_hash, locale, actor_name, \
                         actor_email, ip, user_agent, withdraws, created_at, previous_hash, hash \
                         FROM consents WHERE company_id = $1 AND client_id = $2 ORDER BY sequence",
                    )
                    .bind(company.as_uuid())
                    .bind(client.as_uuid())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(repo_error)?;
                    rows.into_iter().map(ConsentRecord::try_from).collect()
                }

                async fn append_consent(&self, client: ClientId, company: CompanyId, r: &ConsentRecord) -> Result<(), RepoError> {
                    let inserted = sqlx::query(
                        "INSERT INTO consents (id, client_id, company_id, sequence, kind, categories, data_types, settings_version, \
                         text_hash, locale, actor_name, actor_email, ip, user_agent, withdraws, created_at, previous_hash, hash) \
                         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18 \
                         WHERE EXISTS (SELECT 1 FROM companies WHERE id = $3 AND client_id = $2)",
                    )
                    .bind(r.id)
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .bind(r.sequence)
                    .bind(r.kind.as_str())
                    .bind(r.categories.join(","))
                    .bind(r.data_types.join(","))
                    .bind(r.settings_version)
                    .bind(&r.text_hash)
                    .bind(r.locale.as_deref())
                    .bind(r.actor_name.as_deref())
                    .bind(r.actor_email.as_deref())
                    .bind(r.ip.as_deref())
                    .bind(r.user_agent.as_deref())
                    .bind(r.withdraws)
                    .bind(r.created)
                    .bind(&r.previous_hash)
                    .bind(&r.hash)
                    .execute(&self.pool)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if inserted == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                }
            }
        }
    };
}

consent_repository!(sqlite, sqlx::Sqlite);
consent_repository!(postgres, sqlx::Postgres);
