//! The email outbox: how an email is sealed while it waits, the port that
//! hands one to a mail server, and the round that sends what is due, leasing
//! each email so that several replicas never send one twice at once.

use async_trait::async_trait;
use domain::email::SendOutcome;
use domain::ports::{RepoError, Store};

use crate::clock::Clock;
use crate::email_text::Composed;
use crate::secrets::Cipher;

/// The context an outbox email is sealed under.
pub const SEAL_CONTEXT: &str = "email message";

/// Emails attempted per round.
const SEND_BATCH: usize = 20;

/// How long a leased email stays with one sender: longer than the longest a
/// mail server is given to answer (300 seconds at most).
const LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(360);

/// Hands a formatted message (RFC 5322) to a mail server for `to`, from the
/// service's own address.
#[async_trait]
pub trait MailTransport: Send + Sync {
    async fn send(&self, to: &str, message: &[u8]) -> SendOutcome;
}

/// Formats a composed email as an RFC 5322 message to `to`, from the
/// service's address under the `client`'s name.
pub trait Formatter: Send + Sync {
    fn format(&self, client: &str, to: &str, email: &Composed) -> Result<Vec<u8>, String>;
    /// Whether `to` is an address this adapter can send to.
    fn accepts(&self, to: &str) -> bool;
}

/// Sends due emails of the outbox, one lease each (so a slow server never
/// lets a lease run out while the email waits its turn), and records each
/// attempt at the time it ended; returns how many were attempted.
pub async fn send_due(
    store: &dyn Store,
    cipher: &Cipher,
    transport: &dyn MailTransport,
    clock: &dyn Clock,
) -> Result<usize, RepoError> {
    let mut attempted = 0;
    while attempted < SEND_BATCH {
        let now = clock.now();
        let Some(email) = store.claim_emails(now, now + LEASE, 1).await?.pop() else {
            break;
        };
        attempted += 1;
        let outcome = match cipher.open(&email.message, SEAL_CONTEXT) {
            Ok(message) => transport.send(&email.recipient, &message).await,
            Err(error) => {
                SendOutcome::Permanent(format!("the stored message cannot be opened: {error}"))
            }
        };
        if let SendOutcome::Temporary(answer) | SendOutcome::Permanent(answer) = &outcome {
            tracing::warn!(email = %email.id, ?answer, "an email was not sent");
        }
        store
            .record_email_attempt(email.id, &outcome, clock.now())
            .await?;
    }
    Ok(attempted)
}
