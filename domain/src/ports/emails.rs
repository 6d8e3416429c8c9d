//! The email outbox.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::RepoError;

#[async_trait]
pub trait EmailRepository: Send + Sync {
    /// Leases up to `limit` pending emails whose attempt is due by `now`
    /// until `lease_until`, so that no other sender takes them meanwhile.
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<crate::email::DueEmail>, RepoError>;

    /// Records an attempt: the status and next attempt it leaves, the
    /// server's answer; a sent or failed email loses its message.
    async fn record_email_attempt(
        &self,
        id: Uuid,
        outcome: &crate::email::SendOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}
