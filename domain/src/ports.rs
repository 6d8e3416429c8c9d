//! The storage ports the domain needs; the persistence crate implements them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;
use uuid::Uuid;

use crate::api_key::ApiKey;
use crate::company::{Company, CompanyFields, CompanyPatch};
use crate::company_query::CompanyListQuery;
use crate::connection::{Actor, Connection, ConnectionError, HistoryEntry, Transition};
use crate::connection_query::ConnectionListQuery;
use crate::ids::{ApiKeyId, ClientId, CompanyId, ConnectionId};
use crate::integration::PlatformKey;
use crate::integration::SourceType;
use crate::invitation::Invitation;
use crate::paging::Page;
use crate::secrets::{SealedSecret, SecretClass, SecretLocation};
use crate::webhook::{Event, Webhook};

/// Why a store could not do what was asked.
#[derive(Debug, Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    #[error("limit reached: {0}")]
    LimitReached(&'static str),
    /// A uniqueness rule or a compare-and-set refused the write; nothing changed.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("store failure: {0}")]
    Failure(String),
    /// The connection would become `Linked` but no active consent covers its category.
    #[error("no active consent covers {0}")]
    ConsentMissing(&'static str),
}

/// A tenant of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
}

/// The SHA-256 of an API key, in lower-case hex: the only form in which keys are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHash(pub String);

#[async_trait]
pub trait ClientRepository: Send + Sync {
    /// Creates a first client holding one key, unless the store already has a client.
    /// Safe when several instances start at once: exactly one of them gets `Some`.
    async fn bootstrap_client(
        &self,
        name: &str,
        key: &KeyHash,
    ) -> Result<Option<(Client, ApiKey)>, RepoError>;

    /// Creates another client holding one key, named `key_name`.
    async fn create_client(
        &self,
        name: &str,
        key_name: Option<String>,
        key: &KeyHash,
    ) -> Result<(Client, ApiKey), RepoError>;

    async fn list_clients(&self) -> Result<Vec<Client>, RepoError>;

    async fn get_client(&self, id: ClientId) -> Result<Option<Client>, RepoError>;
}

#[async_trait]
pub trait ApiKeyRepository: Send + Sync {
    /// The key with this hash, if it exists.
    async fn find_api_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, RepoError>;

    /// Stores a new key; `LimitReached` once the client holds the maximum.
    async fn create_api_key(
        &self,
        client: ClientId,
        name: Option<String>,
        hash: &KeyHash,
    ) -> Result<ApiKey, RepoError>;

    async fn list_api_keys(&self, client: ClientId) -> Result<Vec<ApiKey>, RepoError>;

    async fn delete_api_key(&self, client: ClientId, id: ApiKeyId) -> Result<(), RepoError>;
}

#[async_trait]
pub trait CompanyRepository: Send + Sync {
    async fn create_company(
        &self,
        client: ClientId,
        fields: CompanyFields,
    ) -> Result<Company, RepoError>;

    async fn get_company(&self, client: ClientId, id: CompanyId) -> Result<Company, RepoError>;

    /// A company found by its id alone, for its hosted journey page (which
    /// carries no API key: the id in the URL names the company and its client).
    async fn find_company(&self, id: CompanyId) -> Result<Company, RepoError>;

    async fn list_companies(
        &self,
        client: ClientId,
        query: &CompanyListQuery,
    ) -> Result<Page<Company>, RepoError>;

    /// Replaces every client-set field.
    async fn replace_company(
        &self,
        client: ClientId,
        id: CompanyId,
        fields: CompanyFields,
    ) -> Result<Company, RepoError>;

    /// Changes only the fields the patch carries, in one atomic statement.
    async fn update_company(
        &self,
        client: ClientId,
        id: CompanyId,
        patch: CompanyPatch,
    ) -> Result<Company, RepoError>;

    /// Deletes the company with its connections and their secrets, and
    /// returns what was deleted that may outlive it elsewhere.
    async fn delete_company(
        &self,
        client: ClientId,
        id: CompanyId,
    ) -> Result<DeletedCompany, RepoError>;
}

/// A deleted company, and the OAuth tokens its connections held at the
/// moment of deletion (still encrypted), so their grants can be revoked at
/// the providers.
#[derive(Debug, Clone)]
pub struct DeletedCompany {
    pub company: Company,
    pub oauth_grants: Vec<(Connection, ConnectionSecret)>,
}

/// A client's settings for one catalogue integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationSetting {
    pub platform_key: PlatformKey,
    pub enabled: bool,
    /// The client's own OAuth application, when it has registered one.
    pub oauth_client: Option<OAuthClient>,
    /// Where typed credentials are checked before they link, when set.
    pub verifier: Option<CredentialsVerifier>,
    /// Where customers download a desktop platform's connector, when set.
    pub connector_url: Option<String>,
}

/// A client's verifier of an integration's credentials: the URL Link API
/// calls, and the secret that signs each call (encrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsVerifier {
    pub url: String,
    pub secret: SealedSecret,
}

/// An OAuth application's credentials; the secret stays encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: SealedSecret,
}

#[async_trait]
pub trait IntegrationSettingsRepository: Send + Sync {
    /// Every integration the client has settings for.
    async fn list_integration_settings(
        &self,
        client: ClientId,
    ) -> Result<Vec<IntegrationSetting>, RepoError>;

    async fn get_integration_setting(
        &self,
        client: ClientId,
        key: &PlatformKey,
    ) -> Result<Option<IntegrationSetting>, RepoError>;

    /// Creates or replaces the client's settings for one integration.
    async fn put_integration_setting(
        &self,
        client: ClientId,
        setting: &IntegrationSetting,
    ) -> Result<(), RepoError>;
}

/// A connection to create.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub company: CompanyId,
    pub platform_key: PlatformKey,
    pub source_type: SourceType,
}

/// What kind of secret a connection holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Credentials,
    OAuthTokens,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credentials => "Credentials",
            Self::OAuthTokens => "OAuthTokens",
        }
    }
}

/// A connection's encrypted secret as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSecret {
    pub kind: SecretKind,
    pub sealed: SealedSecret,
    /// When the access token expires, for the refresher.
    pub access_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a transition does to the connection's secret.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretChange {
    #[default]
    Keep,
    Put(ConnectionSecret),
    Destroy,
}

/// A transition to apply to a connection known at `expected_version`.
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    pub connection: ConnectionId,
    pub expected_version: i64,
    pub transition: Transition,
    pub actor: Actor,
    /// Recorded as an active error (for `AuthorizationFailed`).
    pub error: Option<ConnectionError>,
    /// Written in the same transaction.
    pub secret: SecretChange,
    /// A category whose active consent the move needs: checked in the same
    /// transaction, so a concurrent withdrawal cannot slip between check and write.
    pub consent_for: Option<&'static str>,
}

/// One connection's part in a consent withdrawal, decided on its state at `expected_version`.
#[derive(Debug, Clone)]
pub struct CascadeStep {
    pub connection: ConnectionId,
    pub expected_version: i64,
    /// The move to make (a linked connection is deauthorized); `None` only destroys its secret.
    pub transition: Option<Transition>,
}

/// A withdrawal record and what it does to the company's connections.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    pub record: crate::consent::ConsentRecord,
    /// Every connection of these source types must have a step, at its current version.
    pub source_types: Vec<SourceType>,
    pub steps: Vec<CascadeStep>,
    pub actor: Actor,
}

#[async_trait]
pub trait ConnectionRepository: Send + Sync {
    /// Creates a `PendingAuth` connection with its history row. `NotFound` if
    /// the company is not the client's; `Conflict` if the company already has
    /// an active accounting connection.
    async fn create_connection(
        &self,
        client: ClientId,
        new: NewConnection,
        actor: Actor,
    ) -> Result<Connection, RepoError>;

    async fn get_connection(
        &self,
        client: ClientId,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Connection, RepoError>;

    /// A page of one company's connections; `NotFound` if the company is not the client's.
    async fn list_connections(
        &self,
        client: ClientId,
        company: CompanyId,
        query: &ConnectionListQuery,
    ) -> Result<Page<Connection>, RepoError>;

    /// The connections of several companies, in one round trip.
    async fn connections_of(
        &self,
        client: ClientId,
        companies: &[CompanyId],
    ) -> Result<Vec<Connection>, RepoError>;

    /// Applies a transition if the connection is still at the expected
    /// version, with its history row, in one transaction. `Conflict` if
    /// another transition came first; deletion removes the connection.
    async fn apply_transition(
        &self,
        client: ClientId,
        company: CompanyId,
        request: TransitionRequest,
    ) -> Result<Option<Connection>, RepoError>;

    /// Replaces the secret of a connection that is `Linked` (no transition).
    /// `Conflict` if it is no longer linked, `NotFound` if it is gone.
    async fn replace_connection_secret(
        &self,
        client: ClientId,
        company: CompanyId,
        id: ConnectionId,
        secret: ConnectionSecret,
    ) -> Result<(), RepoError>;

    /// The connection's encrypted secret, if it holds one.
    async fn get_connection_secret(
        &self,
        client: ClientId,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Option<ConnectionSecret>, RepoError>;

    /// Linked connections whose OAuth access token expires before `before`
    /// and that no instance is refreshing now.
    async fn due_token_refreshes(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Connection>, RepoError>;

    /// Takes the refresh of one connection's tokens until `until`; `false` if
    /// another instance holds it.
    async fn claim_token_refresh(
        &self,
        id: ConnectionId,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, RepoError>;

    /// Every recorded transition of a connection, oldest first.
    async fn connection_history(
        &self,
        client: ClientId,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Vec<HistoryEntry>, RepoError>;
}

#[async_trait]
pub trait ProfileRepository: Send + Sync {
    async fn get_profile(
        &self,
        client: ClientId,
    ) -> Result<Option<crate::profile::Profile>, RepoError>;

    async fn put_profile(
        &self,
        client: ClientId,
        profile: &crate::profile::Profile,
    ) -> Result<(), RepoError>;
}

/// One OAuth authorization attempt, kept until the provider calls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    pub client: ClientId,
    pub company: CompanyId,
    pub connection: ConnectionId,
    /// The PKCE code verifier, encrypted.
    pub verifier: SealedSecret,
    /// Custom `{name}` values from the Link URL's query string, for the final redirect.
    pub redirect_params: std::collections::BTreeMap<String, String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What consuming a state found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consumed {
    /// First use within its lifetime: now used up.
    Fresh(OAuthState),
    /// Used before.
    Replayed(OAuthState),
    /// Past its lifetime.
    Expired(OAuthState),
    Unknown,
}

#[async_trait]
pub trait OAuthStateRepository: Send + Sync {
    /// Keeps a new state under the hash of its value.
    async fn save_oauth_state(&self, state_hash: &str, state: &OAuthState)
        -> Result<(), RepoError>;

    /// Uses a state up: only one caller ever gets `Fresh` for a given hash.
    async fn consume_oauth_state(&self, state_hash: &str) -> Result<Consumed, RepoError>;

    /// A state that is neither used nor past its lifetime, without using it.
    async fn find_usable_oauth_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<OAuthState>, RepoError>;

    /// Deletes states that expired before `expired_before`; how many.
    async fn purge_oauth_states(
        &self,
        expired_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, RepoError>;

    /// A connection found by its company and id alone, for the customer's
    /// public Link URL (which carries no API key).
    async fn find_connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Connection, RepoError>;
}

/// An authorization code the built-in Sandbox provider issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCode {
    /// The grant the code starts.
    pub grant: uuid::Uuid,
    pub redirect_uri: String,
    /// The PKCE S256 challenge the code is bound to.
    pub code_challenge: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The Sandbox provider's records. Codes and tokens are stored as hashes.
#[async_trait]
pub trait SandboxRepository: Send + Sync {
    /// Keeps a new code, issued for the authorization whose state hashes to
    /// `state_hash`, and opens its grant. A second code for the same state is
    /// a `Conflict`.
    async fn save_sandbox_code(
        &self,
        code_hash: &str,
        state_hash: &str,
        code: &SandboxCode,
    ) -> Result<(), RepoError>;

    /// Deletes codes that expired before `expired_before`, used or not; how many.
    async fn purge_sandbox_codes(
        &self,
        expired_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, RepoError>;

    /// Uses a code up; `None` if unknown, used or expired.
    async fn consume_sandbox_code(&self, code_hash: &str)
        -> Result<Option<SandboxCode>, RepoError>;

    /// Gives a live grant its first refresh token; `false` if revoked.
    async fn start_sandbox_grant(
        &self,
        grant: uuid::Uuid,
        refresh_hash: &str,
    ) -> Result<bool, RepoError>;

    /// Replaces a live grant's refresh token; `false` if unknown, replaced or revoked.
    async fn rotate_sandbox_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<bool, RepoError>;

    /// Revokes the grant holding this refresh token; `false` if there is none live.
    async fn revoke_sandbox_grant(&self, refresh_hash: &str) -> Result<bool, RepoError>;
}

#[async_trait]
pub trait CorsRepository: Send + Sync {
    /// The origins a client allows, sorted.
    async fn cors_origins(&self, client: ClientId) -> Result<Vec<String>, RepoError>;

    /// Replaces the origins a client allows.
    async fn put_cors_origins(&self, client: ClientId, origins: &[String])
        -> Result<(), RepoError>;

    /// Whether any client allows the origin (for preflight requests, which carry no credentials).
    async fn origin_allowed_by_any(&self, origin: &str) -> Result<bool, RepoError>;
}

/// A versioned document as stored (link settings are kept as their JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedDocument {
    pub version: i64,
    pub document: String,
    pub created: chrono::DateTime<chrono::Utc>,
}

#[async_trait]
pub trait LinkSettingsRepository: Send + Sync {
    /// The newest version, if the client has set any.
    async fn latest_link_settings(
        &self,
        client: ClientId,
    ) -> Result<Option<VersionedDocument>, RepoError>;

    async fn link_settings_version(
        &self,
        client: ClientId,
        version: i64,
    ) -> Result<Option<VersionedDocument>, RepoError>;

    /// Writes version `version`; `Conflict` if another change took that number first.
    async fn add_link_settings(
        &self,
        client: ClientId,
        version: i64,
        document: &str,
    ) -> Result<VersionedDocument, RepoError>;
}

#[async_trait]
pub trait ConsentRepository: Send + Sync {
    /// A company's ledger in sequence order; `NotFound` if the company is not the client's.
    async fn consent_ledger(
        &self,
        client: ClientId,
        company: CompanyId,
    ) -> Result<Vec<crate::consent::ConsentRecord>, RepoError>;

    /// Appends a record; `Conflict` if its sequence number is taken, `NotFound` if the company is not the client's.
    async fn append_consent(
        &self,
        client: ClientId,
        company: CompanyId,
        record: &crate::consent::ConsentRecord,
    ) -> Result<(), RepoError>;

    /// Appends a withdrawal and carries out its cascade in one transaction.
    /// Returns the connections whose stored credentials or tokens were
    /// destroyed. `Conflict` if the ledger or any connection of those source
    /// types changed since the steps were decided; nothing is written then.
    async fn withdraw_consent(
        &self,
        client: ClientId,
        company: CompanyId,
        withdrawal: &Withdrawal,
    ) -> Result<Vec<ConnectionId>, RepoError>;
}

#[async_trait]
pub trait JourneyLinkRepository: Send + Sync {
    /// Stores a new link under the hash of its token; `NotFound` if the company is not the client's.
    async fn create_journey_link(
        &self,
        link: &crate::journey_link::JourneyLink,
        token_hash: &str,
    ) -> Result<(), RepoError>;

    /// Opens the link of `company` whose token hashes to `token_hash`: only
    /// one caller ever gets `Opened`. Another company's link is left as it is.
    async fn use_journey_link(
        &self,
        company: CompanyId,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::journey_link::LinkUse, RepoError>;

    /// The link whose token hashes to `token_hash`, as it stands, changing nothing.
    async fn peek_journey_link(
        &self,
        token_hash: &str,
    ) -> Result<Option<crate::journey_link::JourneyLink>, RepoError>;

    /// A link by its id, for the browser that opened it.
    async fn find_journey_link(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<crate::journey_link::JourneyLink>, RepoError>;

    /// Ends a link at once (opened or not); `NotFound` if it is not the company's.
    async fn revoke_journey_link(
        &self,
        client: ClientId,
        company: CompanyId,
        id: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), RepoError>;
}

#[async_trait]
pub trait InvitationRepository: Send + Sync {
    /// Stores a new invitation, with the email that carries it in the same
    /// transaction when there is one; `NotFound` if the company is not the client's.
    async fn create_invitation(
        &self,
        invitation: &Invitation,
        email: Option<&crate::email::OutgoingEmail>,
    ) -> Result<(), RepoError>;

    /// A company's invitations, newest first; `NotFound` if the company is not the client's.
    async fn list_invitations(
        &self,
        client: ClientId,
        company: CompanyId,
    ) -> Result<Vec<Invitation>, RepoError>;

    /// One of the client's invitations, by id.
    async fn get_invitation(&self, client: ClientId, id: Uuid) -> Result<Invitation, RepoError>;

    /// Records the first time an invitation was opened (later openings keep it).
    async fn mark_invitation_opened(
        &self,
        client: ClientId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Marks those of the invitations that are not yet completed or revoked as completed.
    async fn mark_invitations_completed(
        &self,
        client: ClientId,
        ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Revokes an invitation of the company (a revoked one keeps its first
    /// revocation time) and returns it; `NotFound` if there is no such invitation.
    async fn revoke_invitation(
        &self,
        client: ClientId,
        company: CompanyId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Invitation, RepoError>;
}

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

/// A response kept for an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What a request with an idempotency key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new (or expired, or abandoned): this request runs.
    Fresh,
    /// The first request with this key is still being handled.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
    /// The first request's response, to send again.
    Done(StoredResponse),
}

/// Whose key a stored response is kept under: the client, who answers for
/// the request (one principal for all the client's API keys, one for each
/// company token), and the key the caller chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyKey<'a> {
    pub client: ClientId,
    pub principal: &'a str,
    pub key: &'a str,
}

#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Claims `key` for a request with `request_hash`. A key whose first
    /// request has run longer than `abandoned_before` is taken over.
    async fn claim_idempotency_key(
        &self,
        key: IdempotencyKey<'_>,
        request_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, RepoError>;

    /// Keeps the response of the request that claimed `key`.
    async fn complete_idempotency_key(
        &self,
        key: IdempotencyKey<'_>,
        response: &StoredResponse,
    ) -> Result<(), RepoError>;

    /// Forgets `key`, so that a retry runs again (after a server error).
    async fn release_idempotency_key(&self, key: IdempotencyKey<'_>) -> Result<(), RepoError>;

    /// Deletes keys that expired before `now`; how many.
    async fn purge_idempotency_keys(&self, now: DateTime<Utc>) -> Result<u64, RepoError>;
}

/// A stored secret and the record it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub location: SecretLocation,
    pub sealed: SealedSecret,
}

/// A secret re-encrypted under another key, to be written only if the
/// stored ciphertext is still `old`.
#[derive(Debug, Clone)]
pub struct Reseal {
    pub location: SecretLocation,
    pub old: SealedSecret,
    pub new: SealedSecret,
}

/// How many secrets of one class are sealed with one key version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretCount {
    pub class: SecretClass,
    pub key_version: u32,
    pub count: u64,
}

/// Every encrypted secret, whatever record holds it: what key rotation needs.
#[async_trait]
pub trait SecretRepository: Send + Sync {
    /// Up to `limit` secrets of `class` sealed with another key version than
    /// `current`, in the store's order of their records, starting after
    /// `after` (a location an earlier call returned).
    async fn secrets_to_reseal(
        &self,
        class: SecretClass,
        current: u32,
        after: Option<&SecretLocation>,
        limit: u32,
    ) -> Result<Vec<StoredSecret>, RepoError>;

    /// Writes each re-encrypted secret, in one transaction, whose record
    /// still holds exactly `old`; a secret changed meanwhile (a token refresh,
    /// a rotated webhook secret) is left as it is. Returns how many were written.
    async fn reseal_secrets(&self, reseals: &[Reseal]) -> Result<u64, RepoError>;

    /// How many secrets each key version seals, by class.
    async fn count_secrets(&self) -> Result<Vec<SecretCount>, RepoError>;
}

/// Whether the store answers at all.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    async fn ping(&self) -> Result<(), RepoError>;
}

/// Everything the service needs from one store.
pub trait Store:
    ClientRepository
    + ApiKeyRepository
    + CompanyRepository
    + ConnectionRepository
    + IntegrationSettingsRepository
    + ProfileRepository
    + OAuthStateRepository
    + SandboxRepository
    + CorsRepository
    + LinkSettingsRepository
    + ConsentRepository
    + InvitationRepository
    + ReminderRepository
    + EmailRepository
    + JourneyLinkRepository
    + WebhookRepository
    + EventRepository
    + DeliveryRepository
    + IdempotencyRepository
    + SecretRepository
    + HealthCheck
{
}

impl<T> Store for T where
    T: ClientRepository
        + ApiKeyRepository
        + CompanyRepository
        + ConnectionRepository
        + IntegrationSettingsRepository
        + ProfileRepository
        + OAuthStateRepository
        + SandboxRepository
        + CorsRepository
        + LinkSettingsRepository
        + ConsentRepository
        + InvitationRepository
        + ReminderRepository
        + EmailRepository
        + JourneyLinkRepository
        + WebhookRepository
        + EventRepository
        + DeliveryRepository
        + IdempotencyRepository
        + SecretRepository
        + HealthCheck
{
}
