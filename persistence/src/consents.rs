//! The consent ledger, for both stores.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::consent::{ConsentKind, ConsentRecord};
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::link_settings::ConsentTexts;
use domain::ports::{ConsentRepository, RepoError, SecretChange, TransitionRequest, Withdrawal};
use uuid::Uuid;

use crate::error::repo_error;
use crate::rows::split_list;
use crate::sql::{Bind, Statement};
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
    shown_texts: Option<String>,
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

impl TryFrom<Row> for ConsentRecord {
    type Error = RepoError;

    fn try_from(row: Row) -> Result<Self, RepoError> {
        Ok(Self {
            id: row.id,
            sequence: row.sequence,
            kind: ConsentKind::parse(&row.kind)
                .ok_or_else(|| RepoError::Failure(format!("stored consent kind {}", row.kind)))?,
            categories: split_list(&row.categories),
            data_types: split_list(&row.data_types),
            settings_version: row.settings_version,
            text_hash: row.text_hash,
            shown_texts: row
                .shown_texts
                .as_deref()
                .map(decode_shown)
                .transpose()?
                .unwrap_or_default(),
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

/// Reworded consent texts as stored: a JSON object of categories, each an
/// object of the five texts by their wire names; `None` when there are none.
fn encode_shown(shown: &BTreeMap<String, ConsentTexts>) -> Option<String> {
    if shown.is_empty() {
        return None;
    }
    let categories: serde_json::Map<String, serde_json::Value> = shown
        .iter()
        .map(|(category, texts)| {
            let parts = texts
                .parts()
                .into_iter()
                .map(|(name, text)| (name.to_owned(), serde_json::Value::from(text)))
                .collect();
            (category.clone(), serde_json::Value::Object(parts))
        })
        .collect();
    Some(serde_json::Value::Object(categories).to_string())
}

fn decode_shown(stored: &str) -> Result<BTreeMap<String, ConsentTexts>, RepoError> {
    let broken = || RepoError::Failure("stored reworded consent texts".into());
    let categories: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(stored).map_err(|_| broken())?;
    categories
        .into_iter()
        .map(|(category, mut parts)| {
            let mut texts = ConsentTexts::default();
            for (name, part) in texts.parts_mut() {
                *part = parts.remove(name).ok_or_else(broken)?;
            }
            Ok((category, texts))
        })
        .collect()
}

macro_rules! consent_repository {
    ($module:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::connections::$module::{destroy_secret, lock_company, write_transition};
            use crate::events::$module as events;

            /// A company's ledger in sequence order, read on one connection
            /// (inside a transaction when the caller holds one).
            pub(crate) async fn ledger(
                connection: &mut <$db as sqlx::Database>::Connection,
                client: ClientId,
                company: CompanyId,
            ) -> Result<Vec<ConsentRecord>, RepoError> {
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, sequence, kind, categories, data_types, settings_version, text_hash, shown_texts, locale, \
                     actor_name, actor_email, ip, user_agent, withdraws, created_at, previous_hash, hash \
                     FROM consents WHERE company_id = $1 AND client_id = $2 ORDER BY sequence",
                )
                .bind(company.as_uuid())
                .bind(client.as_uuid())
                .fetch_all(&mut *connection)
                .await
                .map_err(repo_error)?;
                rows.into_iter().map(ConsentRecord::try_from).collect()
            }

            async fn insert(
                connection: &mut <$db as sqlx::Database>::Connection,
                client: ClientId,
                company: CompanyId,
                r: &ConsentRecord,
            ) -> Result<(), RepoError> {
                let inserted = sqlx::query(
                    "INSERT INTO consents (id, client_id, company_id, sequence, kind, categories, data_types, settings_version, \
                     text_hash, locale, actor_name, actor_email, ip, user_agent, withdraws, created_at, previous_hash, hash, shown_texts) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19 \
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
                .bind(encode_shown(&r.shown_texts))
                .execute(&mut *connection)
                .await
                .map_err(repo_error)?
                .rows_affected();
                if inserted == 0 {
                    return Err(RepoError::NotFound);
                }
                Ok(())
            }

            #[async_trait]
            impl ConsentRepository for SqlStore<$db> {
                async fn consent_ledger(&self, client: ClientId, company: CompanyId) -> Result<Vec<ConsentRecord>, RepoError> {
                    ensure_company!(&mut *self.connection().await?, client, company);
                    let mut connection = self.connection().await?;
                    ledger(&mut connection, client, company).await
                }

                async fn append_consent(&self, client: ClientId, company: CompanyId, r: &ConsentRecord) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    insert(&mut tx, client, company, r).await?;
                    let owner = events::company(&mut tx, client, company).await?;
                    events::emit(&mut tx, &owner, "consent.granted", self.payloads.consent(&owner, r), self.payloads.correlation_id()).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn withdraw_consent(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    withdrawal: &Withdrawal,
                ) -> Result<Vec<ConnectionId>, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    lock_company(&mut tx, client, company).await?;
                    insert(&mut tx, client, company, &withdrawal.record).await?;
                    let mut current = Statement::default();
                    let (client_bind, company_bind) = (
                        current.bind(Bind::Uuid(client.as_uuid())),
                        current.bind(Bind::Uuid(company.as_uuid())),
                    );
                    let types: Vec<String> = withdrawal
                        .source_types
                        .iter()
                        .map(|t| current.bind(Bind::Text(t.as_str().to_owned())))
                        .collect();
                    current.push(&format!(
                        "SELECT id, version FROM connections WHERE client_id = {client_bind} AND company_id = {company_bind} \
                         AND source_type IN ({})",
                        types.join(", ")
                    ));
                    let found: BTreeSet<(Uuid, i64)> = if types.is_empty() {
                        BTreeSet::new()
                    } else {
                        bind_all!(sqlx::query_as(&current.sql), &current.binds)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(repo_error)?
                            .into_iter()
                            .collect()
                    };
                    let planned: BTreeSet<(Uuid, i64)> = withdrawal
                        .steps
                        .iter()
                        .map(|s| (s.connection.as_uuid(), s.expected_version))
                        .collect();
                    if found != planned {
                        return Err(RepoError::Conflict("the connections changed meanwhile".into()));
                    }
                    let mut destroyed = Vec::new();
                    for step in &withdrawal.steps {
                        let gone = match step.transition {
                            Some(transition) => {
                                let request = TransitionRequest {
                                    connection: step.connection,
                                    expected_version: step.expected_version,
                                    transition,
                                    actor: withdrawal.actor,
                                    error: None,
                                    secret: SecretChange::Destroy,
                                    consent_for: None,
                                };
                                write_transition(&mut tx, self.payloads.as_ref(), client, company, &request).await?
                            }
                            None => destroy_secret(&mut tx, step.connection).await?,
                        };
                        if gone {
                            destroyed.push(step.connection);
                        }
                    }
                    let owner = events::company(&mut tx, client, company).await?;
                    let payload = self.payloads.consent(&owner, &withdrawal.record);
                    events::emit(&mut tx, &owner, "consent.withdrawn", payload, self.payloads.correlation_id()).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(destroyed)
                }
            }
        }
    };
}

consent_repository!(sqlite, sqlx::Sqlite);
consent_repository!(postgres, sqlx::Postgres);
