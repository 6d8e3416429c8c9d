//! The email outbox, for both stores: writing an email beside what it
//! carries, leasing due emails to one sender, recording each attempt, and
//! reading where an email stands.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::email::{
    after_attempt, DueEmail, EmailDelivery, EmailStatus, OutgoingEmail, SendOutcome,
    JOURNEY_EMAILS_PER_CLIENT, JOURNEY_EMAILS_PER_COMPANY, JOURNEY_EMAIL_WINDOW_HOURS,
};
use domain::ports::{EmailRepository, RepoError};
use domain::secrets::SealedSecret;
use uuid::Uuid;

use crate::error::repo_error;
use crate::sql::Dialect;
use crate::SqlStore;

/// Longest SMTP answer kept.
const MAX_ANSWER: usize = 500;

/// Where an email stands, as columns of the outbox joined as `m`, read
/// into [`DeliveryRow`].
pub(crate) const DELIVERY_COLUMNS: &str =
    "m.status AS email_status, m.attempts AS email_attempts, m.last_answer AS email_last_answer, \
     m.sent_at AS email_sent_at, m.next_attempt_at AS email_next_attempt_at";

/// [`DELIVERY_COLUMNS`] as read: all empty when there is no email.
#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    email_status: Option<String>,
    email_attempts: Option<i32>,
    email_last_answer: Option<String>,
    email_sent_at: Option<DateTime<Utc>>,
    email_next_attempt_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    /// Where the email stands, if there is one.
    pub(crate) fn delivery(self) -> Option<EmailDelivery> {
        let status = EmailStatus::parse(self.email_status.as_deref()?)?;
        Some(EmailDelivery {
            status,
            attempts: self
                .email_attempts
                .and_then(|a| u32::try_from(a).ok())
                .unwrap_or(0),
            last_answer: self.email_last_answer,
            sent_at: self.email_sent_at,
            next_attempt_at: self.email_next_attempt_at,
        })
    }
}

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
        pub(crate) mod $module {
            use super::*;

            /// Writes `email` to the outbox, due at once, in the caller's transaction.
            pub(crate) async fn insert(
                connection: &mut <$db as sqlx::Database>::Connection,
                email: &OutgoingEmail,
            ) -> Result<(), RepoError> {
                sqlx::query(
                    "INSERT INTO emails (id, client_id, company_id, invitation_id, recipient, message, key_version, \
                     status, next_attempt_at, created_at, by_journey) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'Pending', $8, $8, $9)",
                )
                .bind(email.id)
                .bind(email.client_id.as_uuid())
                .bind(email.company_id.as_uuid())
                .bind(email.invitation_id)
                .bind(&email.recipient)
                .bind(&email.message.bytes)
                .bind(i32::try_from(email.message.key_version).unwrap_or(i32::MAX))
                .bind(email.created)
                .bind(email.by_journey)
                .execute(&mut *connection)
                .await
                .map_err(repo_error)?;
                Ok(())
            }

            /// Refuses (`LimitReached`) an email of the journey over its caps of
            /// the last day. Called in the transaction that writes it, after a
            /// write (so SQLite holds its write lock); on PostgreSQL the client's
            /// row is locked first, so concurrent requests count one at a time.
            pub(crate) async fn check_journey_cap(
                connection: &mut <$db as sqlx::Database>::Connection,
                email: &OutgoingEmail,
            ) -> Result<(), RepoError> {
                if !email.by_journey {
                    return Ok(());
                }
                if $dialect == Dialect::Postgres {
                    sqlx::query("SELECT 1 FROM clients WHERE id = $1 FOR UPDATE")
                        .bind(email.client_id.as_uuid())
                        .execute(&mut *connection)
                        .await
                        .map_err(repo_error)?;
                }
                let since = email.created - chrono::TimeDelta::hours(JOURNEY_EMAIL_WINDOW_HOURS);
                let (company, client): (i64, i64) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM emails WHERE client_id = $1 AND company_id = $2 AND by_journey AND created_at > $3), \
                            (SELECT COUNT(*) FROM emails WHERE client_id = $1 AND by_journey AND created_at > $3)",
                )
                .bind(email.client_id.as_uuid())
                .bind(email.company_id.as_uuid())
                .bind(since)
                .fetch_one(&mut *connection)
                .await
                .map_err(repo_error)?;
                if company >= i64::from(JOURNEY_EMAILS_PER_COMPANY) {
                    return Err(RepoError::LimitReached("emails the journey may send for this company today"));
                }
                if client >= i64::from(JOURNEY_EMAILS_PER_CLIENT) {
                    return Err(RepoError::LimitReached("emails the journeys of this client may send today"));
                }
                Ok(())
            }

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
