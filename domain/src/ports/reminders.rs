//! Reminders of a company's unfinished journey.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::company::Company;
use crate::ids::{ClientId, CompanyId};

use super::error::RepoError;

/// A company whose reminders are due to be looked at, as read.
#[derive(Debug, Clone)]
pub struct DueReminders {
    pub company: Company,
    /// Reminders sent so far: the store moves it on only from this.
    pub sent: u32,
    /// The company's reminder address, if it has one.
    pub email: Option<String>,
}

#[async_trait]
pub trait ReminderRepository: Send + Sync {
    /// Companies with reminders on whose next look is due by `now`, earliest first.
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueReminders>, RepoError>;

    /// Moves a company's reminders on from what `due` read: `sent` of them
    /// done, looked at again at `next` (never, when `None`). With `reminder`,
    /// records it as sent with its `journey.reminder` event and, with
    /// `email`, that email in the outbox, all in the same transaction.
    /// `false`, with nothing written, when the company is no longer due as
    /// read (another replica moved it on, its reminders were turned off, or
    /// it is gone).
    async fn advance_reminders(
        &self,
        due: &DueReminders,
        sent: u32,
        next: Option<DateTime<Utc>>,
        reminder: Option<&crate::reminder::Reminder>,
        email: Option<&crate::email::OutgoingEmail>,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError>;

    /// A company's reminders; `NotFound` if the company is not the client's.
    async fn reminder_state(
        &self,
        client: ClientId,
        company: CompanyId,
    ) -> Result<crate::reminder::ReminderState, RepoError>;

    /// Turns a company's reminders on (looked at again from `now`) or off,
    /// and with `email` sets (`Some(Some(..))`) or removes (`Some(None)`) its
    /// reminder address.
    async fn set_reminders(
        &self,
        client: ClientId,
        company: CompanyId,
        enabled: bool,
        email: Option<Option<&str>>,
        now: DateTime<Utc>,
    ) -> Result<crate::reminder::ReminderState, RepoError>;

    /// After the client's reminder policy changed: every company of it with
    /// reminders on is looked at again from `now`.
    async fn reschedule_reminders(
        &self,
        client: ClientId,
        now: DateTime<Utc>,
    ) -> Result<u64, RepoError>;

    /// Writes an `invitation.expiring` event, once per invitation, for each
    /// one neither completed nor revoked that expires after `now` and before
    /// `before`, at most `limit`; returns how many.
    async fn announce_expiring_invitations(
        &self,
        now: DateTime<Utc>,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<usize, RepoError>;
}
