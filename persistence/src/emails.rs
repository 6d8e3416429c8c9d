//! The email outbox, for both stores: leasing due emails to one sender and
//! recording each attempt.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::email::{after_attempt, DueEmail, EmailStatus, SendOutcome};
use domain::ports::{EmailRepository, RepoError, SealedSecret};
use uuid::Uuid;

use crate::error::repo_error;
use crate::sql::Dialect;
use crate::SqlStore;

/// Longest SMTP answer kept.
const MAX_ANSWER: usize = 500;

#[derive(sqlx::FromRow)]
struct DueRow {
    id: Uuid,
    recipient: String,
    message: Option<Vec<u8>>,
    key_version: Option<i32>,
    attempts: i32,
}

macro_rules! email_repository {
    ($module:ident, $db:ty, $dialect:expr) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl EmailRepository for SqlStore<$db> {
                async fn claim_emails(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> Result<Vec<DueEmail>, RepoError> {
                    let skip_locked = match $dialect {
                        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
                        Dialect::Sqlite => "",
                    };
                    // Picked once in a materialized CTE, so the LIMIT is not evaluated again per row.
                    let rows: Vec<DueRow> = sqlx::query_as(&format!(
                        "WITH due AS MATERIALIZED (SELECT id FROM emails \
                           WHERE status = 'Pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2) \
                           ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
                         UPDATE emails SET lease_until = $1 WHERE id IN (SELECT id FROM due) \
                         RETURNING id, recipient, message, key_version, attempts"
                    ))
                    .bind(lease_until.trunc_subsecs(6))
                    .bind(now)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(rows
                        .into_iter()
                        .map(|row| DueEmail {
                            id: row.id,
                            recipient: row.recipient,
                            message: SealedSecret {
                                key_version: row.key_version.and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
                                bytes: row.message.unwrap_or_default(),
                            },
                            attempts: u32::try_from(row.attempts).unwrap_or(0),
                        })
                        .collect())
                }

                async fn record_email_attempt(&self, id: Uuid, outcome: &SendOutcome, now: DateTime<Utc>) -> Result<(), RepoError> {
                    let attempts: Option<i32> = sqlx::query_scalar("SELECT attempts FROM emails WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    let Some(attempts) = attempts else {
                        return Ok(());
                    };
                    let attempts = u32::try_from(attempts).unwrap_or(0);
                    let (status, next) = after_attempt(outcome, attempts, now);
                    let answer = match outcome {
                        SendOutcome::Sent(a) | SendOutcome::Temporary(a) | SendOutcome::Permanent(a) => a.chars().take(MAX_ANSWER).collect::<String>(),
                    };
                    let done = status != EmailStatus::Pending;
                    sqlx::query(
                        "UPDATE emails SET status = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = NULL, \
                         last_answer = $3, sent_at = $4, \
                         message = CASE WHEN $5 THEN NULL ELSE message END, \
                         key_version = CASE WHEN $5 THEN NULL ELSE key_version END \
                         WHERE id = $6 AND status = 'Pending'",
                    )
                    .bind(status.as_str())
                    .bind(next)
                    .bind(answer)
                    .bind((status == EmailStatus::Sent).then_some(now))
                    .bind(done)
                    .bind(id)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(())
                }
            }
        }
    };
}

email_repository!(sqlite, sqlx::Sqlite, Dialect::Sqlite);
email_repository!(postgres, sqlx::Postgres, Dialect::Postgres);
