//! What events say: the payload of each kind of event, rendered with the
//! API's own wire types so a webhook shows a company or a connection exactly
//! as the API does, and the envelope every event travels in.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::company::Company;
use domain::connection::Connection;
use domain::consent::ConsentRecord;
use domain::invitation::Invitation;
use domain::ports::EventPayloads;
use domain::reminder::Reminder;
use domain::webhook::Event;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalogue::Catalogue;
use crate::dto::company::CompanyBody;
use crate::dto::connection::ConnectionBody;
use crate::dto::consent::ConsentBody;
use crate::dto::invitation::InvitationBody;
use crate::dto::reminders::ReminderBody;

/// The company an event is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceCompany {
    pub id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl From<&Company> for ReferenceCompany {
    fn from(company: &Company) -> Self {
        Self {
            id: company.id.as_uuid(),
            name: company.fields.name.as_str().to_owned(),
            description: company.fields.description.clone(),
            tags: company.fields.tags.as_map().clone(),
        }
    }
}

/// An event as `GET /events` lists it and webhooks deliver it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0198f3c2-7b10-7c55-8c8e-2a8c5b1e4f20", "eventType": "connection.connected",
    "generatedDate": "2026-01-05T10:47:02.512311Z",
    "payload": {"referenceCompany": {"id": "0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41", "name": "Technicalium"},
        "connection": {"id": "0198f3c2-7a01-7e3c-b6d2-8f0a4c3e2d10", "integrationKey": "mqjo", "status": "Linked"}}}))]
pub struct EventBody {
    pub id: Uuid,
    pub event_type: String,
    #[schema(value_type = String, format = DateTime)]
    pub generated_date: DateTime<Utc>,
    /// The company for `company.*` events; `{referenceCompany, connection}` for
    /// `connection.*` events, with `revocation` (`outcome`: `Revoked`,
    /// `NotSupported` or `Failed`, and a `detail`) for `connection.revocation`;
    /// `{referenceCompany, consent}` and `{referenceCompany, invitation}` for
    /// consent and invitation events; `{referenceCompany, reminder}` for
    /// `journey.reminder`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The correlation id of the API call that caused the event (its
    /// `X-Correlation-Id`, also what the embedded journey's `onEvent` gives);
    /// left out for what Link API did on its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

impl From<Event> for EventBody {
    fn from(event: Event) -> Self {
        Self {
            id: event.id,
            event_type: event.event_type,
            generated_date: event.generated,
            payload: serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null),
            correlation_id: event.correlation_id,
        }
    }
}

/// Renders event payloads with the catalogue and the public URL the API uses.
pub struct Payloads {
    catalogue: Catalogue,
    public_url: String,
}

impl Payloads {
    pub fn new(catalogue: Catalogue, public_url: &str) -> Self {
        Self {
            catalogue,
            public_url: public_url.to_owned(),
        }
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

impl EventPayloads for Payloads {
    fn company(&self, company: &Company) -> String {
        json(&CompanyBody::new(
            company.clone(),
            Vec::new(),
            &self.public_url,
        ))
    }

    fn connection(&self, company: &Company, connection: &Connection) -> String {
        json(&serde_json::json!({
            "referenceCompany": ReferenceCompany::from(company),
            "connection": ConnectionBody::new(connection.clone(), &self.catalogue, &self.public_url),
        }))
    }

    fn consent(&self, company: &Company, record: &ConsentRecord) -> String {
        json(&serde_json::json!({
            "referenceCompany": ReferenceCompany::from(company),
            "consent": ConsentBody::from(record.clone()),
        }))
    }

    fn invitation(&self, company: &Company, invitation: &Invitation) -> String {
        json(&serde_json::json!({
            "referenceCompany": ReferenceCompany::from(company),
            "invitation": InvitationBody::new(invitation.clone(), Utc::now()),
        }))
    }

    fn reminder(&self, company: &Company, reminder: &Reminder) -> String {
        json(&serde_json::json!({
            "referenceCompany": ReferenceCompany::from(company),
            "reminder": ReminderBody::new(reminder, company, &self.public_url),
        }))
    }

    fn correlation_id(&self) -> Option<String> {
        crate::correlation::in_request()
    }
}
