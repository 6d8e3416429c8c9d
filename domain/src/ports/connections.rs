//! Connections, their state machine writes, and their secrets.

use async_trait::async_trait;

use crate::connection::{Actor, Connection, ConnectionError, HistoryEntry, Transition};
use crate::connection_query::ConnectionListQuery;
use crate::ids::{ClientId, CompanyId, ConnectionId};
use crate::integration::PlatformKey;
use crate::integration::SourceType;
use crate::paging::Page;
use crate::secrets::SealedSecret;

use super::error::RepoError;

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
