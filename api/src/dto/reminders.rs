//! Reminders on the wire: the policy in link settings, and a company's reminders.

use domain::reminder::{Reminder, ReminderPolicy, ReminderState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn on() -> bool {
    true
}

/// The reminder policy; each setting has a default.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"enabled": true, "scheduleDays": [2, 5, 10], "includeOptional": false,
    "journeyUrl": "https://app.example.com/connect/{companyId}",
    "texts": {"en": {"subject": "Finish connecting your books to {client}"}}}))]
pub struct ReminderPolicyBody {
    /// Whether companies that have not completed their journey are reminded (default true).
    #[serde(default = "on")]
    pub enabled: bool,
    /// The days after a company's creation on which it is reminded: 1 to 10, ascending, each
    /// from 1 to 365 (default 2, 5 and 10). Only the latest one due goes out, and not more
    /// than a day late.
    #[serde(default = "default_schedule")]
    #[schema(min_items = 1, max_items = 10)]
    pub schedule_days: Vec<u32>,
    /// Whether unlinked optional categories count as missing too (default false: a journey
    /// whose required categories are linked is complete).
    #[serde(default)]
    pub include_optional: bool,
    /// Your journey UI's address for reminders, `{companyId}` standing for the company; the
    /// company's hosted journey otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub journey_url: Option<String>,
    /// The reminder's texts in your words, by locale and name: `subject` (at most 200
    /// characters), `value` (what the customer gains, 1000) and `callToAction` (100); `{client}`
    /// stands for your name. What you leave out keeps the shipped wording (English, French,
    /// German, Spanish).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub texts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Whether Link API emails each reminder itself (default false): to the company's reminder
    /// address (`PUT /companies/{companyId}/reminders`), in the reminder's locale, with a link
    /// that stops them. It needs an SMTP server (`LINK_SMTP_URL`); the `journey.reminder` event
    /// goes out either way.
    #[serde(default)]
    pub send_emails: bool,
}

fn default_schedule() -> Vec<u32> {
    ReminderPolicy::default().schedule_days
}

impl Default for ReminderPolicyBody {
    fn default() -> Self {
        ReminderPolicy::default().into()
    }
}

impl From<ReminderPolicy> for ReminderPolicyBody {
    fn from(p: ReminderPolicy) -> Self {
        Self {
            enabled: p.enabled,
            schedule_days: p.schedule_days,
            include_optional: p.include_optional,
            journey_url: p.journey_url,
            texts: p.texts,
            send_emails: p.send_emails,
        }
    }
}

impl From<ReminderPolicyBody> for ReminderPolicy {
    fn from(b: ReminderPolicyBody) -> Self {
        Self {
            enabled: b.enabled,
            schedule_days: b.schedule_days,
            include_optional: b.include_optional,
            journey_url: b.journey_url,
            texts: b.texts,
            send_emails: b.send_emails,
        }
    }
}

/// A category a reminder is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingCategoryBody {
    /// `accounting`, `banking` or `commerce`.
    pub category: &'static str,
    pub required: bool,
}

/// What a reminder says, in the customer's locale.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReminderTextsBody {
    pub subject: String,
    /// What the customer gains by finishing.
    pub value: String,
    pub call_to_action: String,
}

/// The `reminder` of a `journey.reminder` event's payload.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReminderBody {
    /// Its place in the schedule, from 1.
    pub number: u32,
    /// How many reminders the schedule has.
    pub of: u32,
    /// The categories not linked yet that the policy counts.
    pub missing_categories: Vec<MissingCategoryBody>,
    /// Where the customer picks the journey up: your `journeyUrl`, or the company's hosted
    /// journey; left out while the hosted journey takes signed links only (make one with
    /// `POST /companies/{companyId}/links`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journey_url: Option<String>,
    /// The locale of the texts: the company's latest consent's, else the settings' default.
    pub locale: String,
    pub texts: ReminderTextsBody,
    /// When the next reminder is due, if the schedule has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_reminder_date: Option<chrono::DateTime<chrono::Utc>>,
}

impl ReminderBody {
    /// The wire form; `public_url` is where the hosted journey is served.
    pub fn new(reminder: &Reminder, company: &domain::company::Company, public_url: &str) -> Self {
        let journey_url = reminder.journey.url(public_url, company.id);
        Self {
            number: reminder.number,
            of: reminder.of,
            missing_categories: reminder
                .missing
                .iter()
                .map(|(category, required)| MissingCategoryBody {
                    category,
                    required: *required,
                })
                .collect(),
            journey_url,
            locale: reminder.locale.clone(),
            texts: ReminderTextsBody {
                subject: reminder.texts.subject.clone(),
                value: reminder.texts.value.clone(),
                call_to_action: reminder.texts.call_to_action.clone(),
            },
            next_reminder_date: reminder.next,
        }
    }
}

/// A reminder that went out.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SentReminderBody {
    pub number: u32,
    #[schema(value_type = String, format = DateTime)]
    pub sent_date: chrono::DateTime<chrono::Utc>,
    /// The `journey.reminder` event that carried it (`GET /events/{eventId}`).
    pub event_id: uuid::Uuid,
    /// Its email, when Link API sent one (`reminders.sendEmails`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<crate::dto::email::EmailBody>,
}

/// A company's reminders.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"enabled": true, "email": "owner@northwind.example", "nextDueDate": "2026-01-10T09:30:00Z",
    "history": [{"number": 1, "sentDate": "2026-01-07T09:30:04Z", "eventId": "0198f3c2-7b10-7c55-8c8e-2a8c5b1e4f20",
        "email": {"status": "Sent", "attempts": 1, "lastAnswer": "250 2.0.0 Ok: queued", "sentDate": "2026-01-07T09:30:09Z"}}]}))]
pub struct CompanyRemindersBody {
    /// False once you or the customer turned them off for this company.
    pub enabled: bool,
    /// Where Link API emails the company's reminders, when the policy's `sendEmails` is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// When the next one is due; left out when none will go out (turned off, the schedule done,
    /// or the journey complete).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due_date: Option<chrono::DateTime<chrono::Utc>>,
    /// The reminders sent, oldest first.
    pub history: Vec<SentReminderBody>,
}

impl CompanyRemindersBody {
    pub fn new(state: ReminderState, next_due_date: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        Self {
            enabled: state.enabled,
            email: state.email,
            next_due_date,
            history: state
                .history
                .into_iter()
                .map(|sent| SentReminderBody {
                    number: sent.number,
                    sent_date: sent.at,
                    event_id: sent.event,
                    email: sent.email.map(Into::into),
                })
                .collect(),
        }
    }
}

/// Turns a company's reminders on or off, and sets where they are emailed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"enabled": true, "email": "owner@northwind.example"}))]
pub struct SetRemindersBody {
    pub enabled: bool,
    /// The one address the company's reminders are emailed to (at most 254 characters, no
    /// display name). Left out, the address stays as it is; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
}

/// A field that is present, `null` or not: told apart from one left out.
fn present<'de, D: serde::Deserializer<'de>>(field: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(field).map(Some)
}
