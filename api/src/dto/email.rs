//! An email Link API sends, as the API shows it.

use chrono::{DateTime, Utc};
use domain::email::EmailDelivery;
use serde::Serialize;
use utoipa::ToSchema;

/// Where an email stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"status": "Sent", "attempts": 1, "lastAnswer": "250 2.0.0 Ok: queued", "sentDate": "2026-01-05T10:47:03Z"}))]
pub struct EmailBody {
    /// `Pending` (waiting for its first or next attempt), `Sent` (the SMTP server took it) or
    /// `Failed` (refused, or still not taken after six attempts over about nine hours).
    pub status: &'static str,
    pub attempts: u32,
    /// The SMTP server's last answer, or why it could not be reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_date: Option<DateTime<Utc>>,
    /// When the next attempt is due, while pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_date: Option<DateTime<Utc>>,
}

impl From<EmailDelivery> for EmailBody {
    fn from(email: EmailDelivery) -> Self {
        Self {
            status: email.status.as_str(),
            attempts: email.attempts,
            last_answer: email.last_answer,
            sent_date: email.sent_at,
            next_attempt_date: email.next_attempt_at,
        }
    }
}
