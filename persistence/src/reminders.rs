//! Reminders of journeys not completed, and the announcement of invitations
//! about to expire, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::email::OutgoingEmail;
use domain::ids::{ClientId, CompanyId};
use domain::ports::{DueReminders, ReminderRepository, RepoError};
use domain::reminder::{Reminder, ReminderState, SentReminder};
use uuid::Uuid;

use crate::emails::{DeliveryRow, DELIVERY_COLUMNS};
use crate::error::repo_error;
use crate::rows::{CompanyRow, COMPANY_COLUMNS};
use crate::SqlStore;

#[derive(sqlx::FromRow)]
struct DueRow {
    #[sqlx(flatten)]
    company: CompanyRow,
    reminders_sent: i32,
    reminder_email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SentRow {
    number: i32,
    sent_at: DateTime<Utc>,
    event_id: Uuid,
    #[sqlx(flatten)]
    email: DeliveryRow,
}

/// A count as stored (never negative: the tables check it).
fn count(stored: i32) -> u32 {
    u32::try_from(stored).unwrap_or(0)
}

fn stored(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

macro_rules! reminder_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;
            use crate::events::$module as events;
            use crate::invitations::$module::announce;

            type Connection = <$db as sqlx::Database>::Connection;

            async fn state(connection: &mut Connection, client: ClientId, company: CompanyId) -> Result<ReminderState, RepoError> {
                let found: Option<(bool, i32, Option<String>)> = sqlx::query_as(
                    "SELECT reminders_enabled, reminders_sent, reminder_email FROM companies WHERE client_id = $1 AND id = $2",
                )
                .bind(client.as_uuid())
                .bind(company.as_uuid())
                .fetch_optional(&mut *connection)
                .await
                .map_err(repo_error)?;
                let (enabled, sent, email) = found.ok_or(RepoError::NotFound)?;
                let history: Vec<SentRow> = sqlx::query_as(&format!(
                    "SELECT r.number, r.sent_at, r.event_id, {DELIVERY_COLUMNS} \
                     FROM reminders r LEFT JOIN emails m ON m.id = r.email_id \
                     WHERE r.company_id = $1 ORDER BY r.number"
                ))
                .bind(company.as_uuid())
                .fetch_all(&mut *connection)
                .await
                .map_err(repo_error)?;
                Ok(ReminderState {
                    enabled,
                    sent: count(sent),
                    email,
                    history: history
                        .into_iter()
                        .map(|row| SentReminder {
                            number: count(row.number),
                            at: row.sent_at,
                            event: row.event_id,
                            email: row.email.delivery(),
                        })
                        .collect(),
                })
            }

            #[async_trait]
            impl ReminderRepository for SqlStore<$db> {
                async fn due_reminders(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueReminders>, RepoError> {
                    let rows: Vec<DueRow> = sqlx::query_as(&format!(
                        "SELECT {COMPANY_COLUMNS}, reminders_sent, reminder_email FROM companies \
                         WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= $1 AND reminders_enabled = $2 \
                         ORDER BY next_reminder_at LIMIT $3"
                    ))
                    .bind(now)
                    .bind(true)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    rows.into_iter()
                        .map(|row| Ok(DueReminders {
                            company: row.company.try_into()?,
                            sent: count(row.reminders_sent),
                            email: row.reminder_email,
                        }))
                        .collect()
                }

                async fn advance_reminders(
                    &self,
                    due: &DueReminders,
                    sent: u32,
                    next: Option<DateTime<Utc>>,
                    reminder: Option<&Reminder>,
                    email: Option<&OutgoingEmail>,
                    now: DateTime<Utc>,
                ) -> Result<bool, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let moved = sqlx::query(
                        "UPDATE companies SET reminders_sent = $1, next_reminder_at = $2 \
                         WHERE id = $3 AND reminders_enabled = $4 AND reminders_sent = $5 \
                         AND next_reminder_at IS NOT NULL AND next_reminder_at <= $6",
                    )
                    .bind(stored(sent))
                    .bind(next)
                    .bind(due.company.id.as_uuid())
                    .bind(true)
                    .bind(stored(due.sent))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if moved == 0 {
                        return Ok(false);
                    }
                    if let Some(reminder) = reminder {
                        let payload = self.payloads.reminder(&due.company, reminder);
                        let event = events::emit(&mut tx, &due.company, "journey.reminder", payload, None).await?;
                        if let Some(email) = email {
                            crate::emails::$module::insert(&mut tx, email).await?;
                        }
                        let recorded = sqlx::query(
                            "INSERT INTO reminders (company_id, number, sent_at, event_id, email_id) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (company_id, number) DO NOTHING",
                        )
                        .bind(due.company.id.as_uuid())
                        .bind(stored(reminder.number))
                        .bind(now)
                        .bind(event)
                        .bind(email.map(|e| e.id))
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                        if recorded == 0 {
                            return Ok(false);
                        }
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(true)
                }

                async fn reminder_state(&self, client: ClientId, company: CompanyId) -> Result<ReminderState, RepoError> {
                    state(&mut *self.connection().await?, client, company).await
                }

                async fn set_reminders(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    enabled: bool,
                    email: Option<Option<&str>>,
                    now: DateTime<Utc>,
                ) -> Result<ReminderState, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    sqlx::query(
                        "UPDATE companies SET reminders_enabled = $1, next_reminder_at = $2, \
                         reminder_email = CASE WHEN $3 THEN $4 ELSE reminder_email END WHERE client_id = $5 AND id = $6",
                    )
                        .bind(enabled)
                        .bind(enabled.then_some(now))
                        .bind(email.is_some())
                        .bind(email.flatten())
                        .bind(client.as_uuid())
                        .bind(company.as_uuid())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    let state = state(&mut tx, client, company).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(state)
                }

                async fn reschedule_reminders(&self, client: ClientId, now: DateTime<Utc>) -> Result<u64, RepoError> {
                    let moved = sqlx::query("UPDATE companies SET next_reminder_at = $1 WHERE client_id = $2 AND reminders_enabled = $3")
                        .bind(now)
                        .bind(client.as_uuid())
                        .bind(true)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                    Ok(moved)
                }

                async fn announce_expiring_invitations(&self, now: DateTime<Utc>, before: DateTime<Utc>, limit: u32) -> Result<usize, RepoError> {
                    let expiring: Vec<(Uuid, Uuid)> = sqlx::query_as(
                        "SELECT id, client_id FROM invitations \
                         WHERE expiry_announced_at IS NULL AND revoked_at IS NULL AND completed_at IS NULL \
                         AND expires_at > $1 AND expires_at <= $2 ORDER BY expires_at LIMIT $3",
                    )
                    .bind(now)
                    .bind(before)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    let mut announced = 0;
                    for (id, client) in expiring {
                        let mut pooled = self.connection().await?;
                        let mut tx = pooled.begin().await.map_err(repo_error)?;
                        let first = sqlx::query("UPDATE invitations SET expiry_announced_at = $1 WHERE id = $2 AND expiry_announced_at IS NULL")
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(repo_error)?
                            .rows_affected();
                        if first > 0 {
                            announce(&mut tx, self.payloads.as_ref(), client.into(), id, "invitation.expiring").await?;
                            announced += 1;
                        }
                        tx.commit().await.map_err(repo_error)?;
                    }
                    Ok(announced)
                }
            }
        }
    };
}

reminder_repository!(sqlite, sqlx::Sqlite);
reminder_repository!(postgres, sqlx::Postgres);
