//! The connection state machine: which causes move a connection between
//! which states, and which event each move emits. Everything else is refused.

use std::fmt;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::ids::{ApiKeyId, ClientId, CompanyId, ConnectionId};
use crate::integration::{PlatformKey, SourceType};

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionStatus {
    PendingAuth,
    Linked,
    Unlinked,
    Deauthorized,
}

impl ConnectionStatus {
    pub const ALL: [ConnectionStatus; 4] = [
        Self::PendingAuth,
        Self::Linked,
        Self::Unlinked,
        Self::Deauthorized,
    ];

    /// The wire and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAuth => "PendingAuth",
            Self::Linked => "Linked",
            Self::Unlinked => "Unlinked",
            Self::Deauthorized => "Deauthorized",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a connection would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// The client created the connection.
    Created,
    /// The customer completed OAuth, or valid credentials or tokens arrived.
    Authorized,
    /// The customer cancelled, or the provider failed, while authorizing.
    AuthorizationFailed,
    /// The client unlinked the connection.
    UnlinkedByClient,
    /// The customer unlinked the connection from the journey.
    UnlinkedByCustomer,
    /// The provider revoked the grant.
    RevokedByProvider,
    /// The provider refused to refresh the access token.
    RefreshRefused,
    /// The customer withdrew the consent that covered the connection.
    ConsentWithdrawn,
    /// The client deleted the connection.
    Deleted,
}

impl Cause {
    pub const ALL: [Cause; 9] = [
        Self::Created,
        Self::Authorized,
        Self::AuthorizationFailed,
        Self::UnlinkedByClient,
        Self::UnlinkedByCustomer,
        Self::RevokedByProvider,
        Self::RefreshRefused,
        Self::ConsentWithdrawn,
        Self::Deleted,
    ];

    /// The storage and history spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Authorized => "Authorized",
            Self::AuthorizationFailed => "AuthorizationFailed",
            Self::UnlinkedByClient => "UnlinkedByClient",
            Self::UnlinkedByCustomer => "UnlinkedByCustomer",
            Self::RevokedByProvider => "RevokedByProvider",
            Self::RefreshRefused => "RefreshRefused",
            Self::ConsentWithdrawn => "ConsentWithdrawn",
            Self::Deleted => "Deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The event a transition emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionEvent {
    Created,
    Connected,
    Failed,
    Disconnected,
    Reconnected,
    Deleted,
}

impl ConnectionEvent {
    /// The webhook event type.
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Created => "connection.created",
            Self::Connected => "connection.connected",
            Self::Failed => "connection.failed",
            Self::Disconnected => "connection.disconnected",
            Self::Reconnected => "connection.reconnected",
            Self::Deleted => "connection.deleted",
        }
    }
}

/// An allowed move. `from` is `None` for creation, `to` is `None` for deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Option<ConnectionStatus>,
    pub to: Option<ConnectionStatus>,
    pub cause: Cause,
    pub event: ConnectionEvent,
}

/// A move the state machine does not allow; nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("{}", illegal_message(*.from, *.cause))]
    Illegal {
        from: Option<ConnectionStatus>,
        cause: Cause,
    },
}

fn illegal_message(from: Option<ConnectionStatus>, cause: Cause) -> String {
    match (from, cause) {
        (Some(ConnectionStatus::Linked), Cause::Authorized) => {
            "The connection is already linked.".into()
        }
        (Some(status), Cause::UnlinkedByClient | Cause::UnlinkedByCustomer) => {
            format!("Only a Linked connection can be unlinked; this one is {status}.")
        }
        (Some(status), cause) => format!("A {status} connection cannot change because of {cause}."),
        (None, cause) => {
            format!("A connection that does not exist cannot change because of {cause}.")
        }
    }
}

/// Decides the move of a connection in state `from` (or not yet existing) for `cause`.
pub fn transition(
    from: Option<ConnectionStatus>,
    cause: Cause,
) -> Result<Transition, TransitionError> {
    use ConnectionStatus::{Deauthorized, Linked, PendingAuth, Unlinked};
    let (to, event) = match (from, cause) {
        (None, Cause::Created) => (Some(PendingAuth), ConnectionEvent::Created),
        (Some(PendingAuth), Cause::Authorized) => (Some(Linked), ConnectionEvent::Connected),
        (Some(PendingAuth), Cause::AuthorizationFailed) => {
            (Some(PendingAuth), ConnectionEvent::Failed)
        }
        (Some(Linked), Cause::UnlinkedByClient | Cause::UnlinkedByCustomer) => {
            (Some(Unlinked), ConnectionEvent::Disconnected)
        }
        (
            Some(Linked),
            Cause::RevokedByProvider | Cause::RefreshRefused | Cause::ConsentWithdrawn,
        ) => (Some(Deauthorized), ConnectionEvent::Disconnected),
        (Some(Unlinked | Deauthorized), Cause::Authorized) => {
            (Some(Linked), ConnectionEvent::Reconnected)
        }
        (Some(_), Cause::Deleted) => (None, ConnectionEvent::Deleted),
        _ => return Err(TransitionError::Illegal { from, cause }),
    };
    Ok(Transition {
        from,
        to,
        cause,
        event,
    })
}

/// Who caused a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The client's back end, with the API key it used.
    Client(ApiKeyId),
    /// The client's customer, in the journey.
    Customer,
    /// The platform's provider.
    Provider,
    /// Link API itself, e.g. its token refresher.
    System,
}

impl Actor {
    /// The storage spelling: `client:<key id>`, `customer`, `provider` or `system`.
    pub fn to_text(self) -> String {
        match self {
            Self::Client(key) => format!("client:{key}"),
            Self::Customer => "customer".into(),
            Self::Provider => "provider".into(),
            Self::System => "system".into(),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "customer" => Some(Self::Customer),
            "provider" => Some(Self::Provider),
            "system" => Some(Self::System),
            other => other
                .strip_prefix("client:")?
                .parse::<uuid::Uuid>()
                .ok()
                .map(|id| Self::Client(id.into())),
        }
    }
}

/// A problem met while authorizing or keeping a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionError {
    pub status_code: String,
    pub status_text: String,
    pub error_message: String,
    pub errored_on: DateTime<Utc>,
    /// When it stopped mattering: the connection was linked since.
    pub resolved_on: Option<DateTime<Utc>>,
}

/// A stored connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: ConnectionId,
    pub client_id: ClientId,
    pub company_id: CompanyId,
    pub platform_key: PlatformKey,
    pub source_type: SourceType,
    pub status: ConnectionStatus,
    /// Grows by one with every transition: the compare-and-set token.
    pub version: i64,
    pub created: DateTime<Utc>,
    /// Newest first.
    pub errors: Vec<ConnectionError>,
}

/// One recorded transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub from: Option<ConnectionStatus>,
    pub to: Option<ConnectionStatus>,
    pub cause: Cause,
    pub actor: Actor,
    pub occurred: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectionStatus::*;

    #[test]
    fn the_table_of_allowed_moves() {
        let allowed = [
            (
                None,
                Cause::Created,
                Some(PendingAuth),
                "connection.created",
            ),
            (
                Some(PendingAuth),
                Cause::Authorized,
                Some(Linked),
                "connection.connected",
            ),
            (
                Some(PendingAuth),
                Cause::AuthorizationFailed,
                Some(PendingAuth),
                "connection.failed",
            ),
            (
                Some(Linked),
                Cause::UnlinkedByClient,
                Some(Unlinked),
                "connection.disconnected",
            ),
            (
                Some(Linked),
                Cause::UnlinkedByCustomer,
                Some(Unlinked),
                "connection.disconnected",
            ),
            (
                Some(Linked),
                Cause::RevokedByProvider,
                Some(Deauthorized),
                "connection.disconnected",
            ),
            (
                Some(Linked),
                Cause::RefreshRefused,
                Some(Deauthorized),
                "connection.disconnected",
            ),
            (
                Some(Linked),
                Cause::ConsentWithdrawn,
                Some(Deauthorized),
                "connection.disconnected",
            ),
            (
                Some(Unlinked),
                Cause::Authorized,
                Some(Linked),
                "connection.reconnected",
            ),
            (
                Some(Deauthorized),
                Cause::Authorized,
                Some(Linked),
                "connection.reconnected",
            ),
        ];
        for (from, cause, to, event) in allowed {
            let t = transition(from, cause).unwrap();
            assert_eq!(
                (t.to, t.event.event_type()),
                (to, event),
                "{from:?} + {cause}"
            );
        }
        for status in ConnectionStatus::ALL {
            let deleted = transition(Some(status), Cause::Deleted).unwrap();
            assert_eq!(
                (deleted.to, deleted.event),
                (None, ConnectionEvent::Deleted)
            );
        }
    }

    #[test]
    fn every_move_outside_the_table_is_refused() {
        let allowed = |from: Option<ConnectionStatus>, cause: Cause| {
            matches!(
                (from, cause),
                (None, Cause::Created)
                    | (Some(_), Cause::Deleted)
                    | (
                        Some(PendingAuth),
                        Cause::Authorized | Cause::AuthorizationFailed
                    )
                    | (
                        Some(Linked),
                        Cause::UnlinkedByClient
                            | Cause::UnlinkedByCustomer
                            | Cause::RevokedByProvider
                            | Cause::RefreshRefused
                            | Cause::ConsentWithdrawn
                    )
                    | (Some(Unlinked | Deauthorized), Cause::Authorized)
            )
        };
        let states = std::iter::once(None).chain(ConnectionStatus::ALL.into_iter().map(Some));
        for from in states {
            for cause in Cause::ALL {
                let result = transition(from, cause);
                assert_eq!(result.is_ok(), allowed(from, cause), "{from:?} + {cause}");
                if let Err(refused) = result {
                    assert_eq!(refused, TransitionError::Illegal { from, cause });
                }
            }
        }
    }

    #[test]
    fn unlinking_anything_but_a_linked_connection_is_refused() {
        for status in [PendingAuth, Unlinked, Deauthorized] {
            for cause in [Cause::UnlinkedByClient, Cause::UnlinkedByCustomer] {
                let error = transition(Some(status), cause).unwrap_err();

                assert!(error
                    .to_string()
                    .starts_with("Only a Linked connection can be unlinked"));
            }
        }
    }

    #[test]
    fn spellings_round_trip() {
        for status in ConnectionStatus::ALL {
            assert_eq!(ConnectionStatus::parse(status.as_str()), Some(status));
        }
        for cause in Cause::ALL {
            assert_eq!(Cause::parse(cause.as_str()), Some(cause));
        }
    }
}
