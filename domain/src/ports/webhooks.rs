//! Events, webhook consumers and the deliveries of the outbox.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::company::Company;
use crate::connection::Connection;
use crate::ids::{ClientId, CompanyId};
use crate::invitation::Invitation;
use crate::paging::Page;
use crate::secrets::SealedSecret;
use crate::webhook::{Event, Webhook};

use super::error::RepoError;

/// Renders what changed as the JSON `payload` of its event, as the API shows
/// it. The store calls it inside the transaction of the change, so the event
/// is written with the change or not at all.
pub trait EventPayloads: Send + Sync {
    fn company(&self, company: &Company) -> String;
    fn connection(&self, company: &Company, connection: &Connection) -> String;
    fn consent(&self, company: &Company, record: &crate::consent::ConsentRecord) -> String;
    fn invitation(&self, company: &Company, invitation: &Invitation) -> String;
    fn reminder(&self, company: &Company, reminder: &crate::reminder::Reminder) -> String;
    /// The correlation id of the API call being served, if any: events written
    /// now carry it.
    fn correlation_id(&self) -> Option<String>;
}
/// A consumer with its encrypted signing secrets.
#[derive(Debug, Clone)]
pub struct StoredWebhook {
    pub webhook: Webhook,
    pub secret: SealedSecret,
    /// A rotated-out secret and until when it still signs.
    pub previous: Option<(SealedSecret, DateTime<Utc>)>,
}

#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Stores a consumer; `LimitReached` once the client has [`crate::webhook::MAX_WEBHOOKS`].
    async fn create_webhook(
        &self,
        webhook: &Webhook,
        secret: &SealedSecret,
    ) -> Result<(), RepoError>;

    /// The client's consumers, oldest first.
    async fn list_webhooks(&self, client: ClientId) -> Result<Vec<Webhook>, RepoError>;

    async fn get_webhook(&self, client: ClientId, id: Uuid) -> Result<StoredWebhook, RepoError>;

    /// Saves a consumer's url, `disabled`, event types and company tags.
    async fn update_webhook(&self, webhook: &Webhook) -> Result<(), RepoError>;

    async fn delete_webhook(&self, client: ClientId, id: Uuid) -> Result<(), RepoError>;

    /// Makes `secret` the signing secret; the old one keeps signing until `previous_until`.
    async fn rotate_webhook_secret(
        &self,
        client: ClientId,
        id: Uuid,
        secret: &SealedSecret,
        previous_until: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub event_type: Option<String>,
    pub company: Option<CompanyId>,
    /// Generated at or after.
    pub from: Option<DateTime<Utc>>,
    /// Generated before.
    pub to: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait EventRepository: Send + Sync {
    /// A page of the client's events, newest first.
    async fn list_events(
        &self,
        client: ClientId,
        query: &EventQuery,
        page: crate::paging::PageRequest,
    ) -> Result<Page<Event>, RepoError>;

    async fn get_event(&self, client: ClientId, id: Uuid) -> Result<Event, RepoError>;

    /// Stores an event that no store change carries (an outcome outside the
    /// store, such as a revocation at a provider); the dispatcher sends it on.
    async fn add_event(&self, event: &Event) -> Result<(), RepoError>;

    /// Stores an event for one consumer only (a test event), with its delivery.
    async fn add_event_for(
        &self,
        event: &Event,
        webhook: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// New deliveries of a stored event: to one consumer (which must exist), or
    /// to every consumer that wants it. Returns the consumers it goes to.
    async fn replay_event(
        &self,
        client: ClientId,
        event: Uuid,
        webhook: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, RepoError>;
}

/// A delivery the dispatcher holds a lease on.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: Uuid,
    /// Attempts made before this one.
    pub attempts: i64,
    pub lease_until: DateTime<Utc>,
    pub event: Event,
    pub webhook: StoredWebhook,
}

/// One try at delivering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// An attempt at a delivery leased until `lease_until`, and what follows it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivery: Uuid,
    pub lease_until: DateTime<Utc>,
    pub attempt: Attempt,
    pub next: DeliveryNext,
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryNext {
    Delivered,
    RetryAt(DateTime<Utc>),
    Failed,
}

/// A delivery as its log shows it.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `Pending`, `Delivered` or `Failed`.
    pub status: String,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
}

#[async_trait]
pub trait DeliveryRepository: Send + Sync {
    /// Makes the deliveries of up to `limit` events not yet fanned out, to
    /// every consumer that wants them (disabled ones too: theirs wait).
    /// Returns the number of events handled.
    async fn fan_out(&self, now: DateTime<Utc>, limit: u32) -> Result<usize, RepoError>;

    /// Leases up to `limit` due deliveries of enabled consumers until
    /// `lease_until`; no other dispatcher gets them meanwhile.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, RepoError>;

    /// Records attempts and their deliveries' next states, all in one
    /// transaction; each only if the lease its delivery was claimed with is
    /// still held. Answers, in order, whether it was.
    async fn record_attempts(&self, outcomes: &[Outcome]) -> Result<Vec<bool>, RepoError>;

    /// A consumer's deliveries, newest first, with their attempts.
    async fn deliveries_of(
        &self,
        client: ClientId,
        webhook: Uuid,
        page: crate::paging::PageRequest,
    ) -> Result<Page<DeliveryLog>, RepoError>;
}
