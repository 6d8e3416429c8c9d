//! Moving a connection through the state machine: read its state, ask the
//! domain whether the cause is allowed, and write with compare-and-set.

use domain::connection::{Actor, Cause, Connection, ConnectionError, ConnectionStatus};
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::ports::{RepoError, SecretChange, TransitionRequest};

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The 404 of a connection.
pub fn connection_not_found(id: ConnectionId) -> impl FnOnce() -> ApiError {
    move || {
        ApiError::not_found(
            ErrorCode::ConnectionNotFound,
            format_args!("Data connection {id}"),
        )
    }
}

/// The client's connection, or its 404.
pub async fn load(
    state: &AppState,
    client: ClientId,
    company: CompanyId,
    id: ConnectionId,
) -> Result<Connection, ApiError> {
    state
        .store
        .get_connection(client, company, id)
        .await
        .map_err(|e| ApiError::from_repo(e, connection_not_found(id)))
}

/// What should happen to a connection, and why.
pub struct Change {
    pub cause: Cause,
    pub actor: Actor,
    /// Recorded as an active error.
    pub error: Option<ConnectionError>,
    /// Written with the transition. A move to `Deauthorized` always destroys the secret.
    pub secret: SecretChange,
    /// A category the company must have an active consent for (see [`consent_needed`]).
    pub consent_for: Option<&'static str>,
    /// The change may only happen to a connection still waiting for
    /// authorization: checked against the state the write compares with, so no
    /// race can slip a linked connection through (403 otherwise).
    pub pending_only: bool,
}

impl Change {
    pub fn new(cause: Cause, actor: Actor) -> Self {
        Self {
            cause,
            actor,
            error: None,
            secret: SecretChange::Keep,
            consent_for: None,
            pending_only: false,
        }
    }
}

/// Maps a store failure of a connection write: a lost race is a 409.
pub fn write_error(id: ConnectionId) -> impl FnOnce(RepoError) -> ApiError {
    move |error| match error {
        RepoError::Conflict(_) => ApiError::new(
            ErrorCode::ConcurrentChange,
            "The connection changed while this request was handled; read it again and retry.",
        ),
        other => ApiError::from_repo(other, connection_not_found(id)),
    }
}

/// Applies a change to a connection. A cause the state machine refuses, or a
/// transition that lost a race with another one, is a 409 and changes nothing.
/// Returns the connection afterwards (`None` once deleted).
pub async fn apply(
    state: &AppState,
    client: ClientId,
    company: CompanyId,
    id: ConnectionId,
    change: Change,
) -> Result<Option<Connection>, ApiError> {
    let current = load(state, client, company, id).await?;
    if change.pending_only && current.status != ConnectionStatus::PendingAuth {
        return Err(ApiError::new(ErrorCode::ConnectionLinked,
            "A customer may only abandon a connection that is not authorized yet; a linked one ends \
             when its consent is withdrawn, or the client removes it.",
        ));
    }
    let transition = domain::connection::transition(Some(current.status), change.cause)
        .map_err(|refused| ApiError::new(ErrorCode::TransitionRefused, refused.to_string()))?;
    let secret = if transition.to == Some(ConnectionStatus::Deauthorized) {
        SecretChange::Destroy
    } else {
        change.secret
    };
    let request = TransitionRequest {
        connection: id,
        expected_version: current.version,
        transition,
        actor: change.actor,
        error: change.error,
        secret,
        consent_for: change.consent_for,
    };
    let linked = transition.to == Some(ConnectionStatus::Linked);
    let after = state
        .store
        .apply_transition(client, company, request)
        .await
        .map_err(write_error(id))?;
    if linked {
        // The link is done; a failure here only delays an invitation's completion.
        if let Err(error) =
            crate::invitations::complete_invitations(state.store.as_ref(), client, company).await
        {
            tracing::warn!(%error, "invitations were not checked for completion");
        }
    }
    Ok(after)
}

/// The category whose active consent linking `connection` needs under the
/// client's newest link settings; `None` when consent is not required.
pub async fn consent_needed(
    state: &AppState,
    connection: &Connection,
) -> Result<Option<&'static str>, ApiError> {
    let settings =
        crate::client_settings::link_settings(state.store.as_ref(), connection.client_id).await?;
    Ok(settings.consent_category(connection.source_type))
}

/// Like [`consent_needed`], and refuses at once (403) when the company has no
/// active consent for that category. The transition checks again as it writes.
pub async fn check_consent(
    state: &AppState,
    connection: &Connection,
) -> Result<Option<&'static str>, ApiError> {
    let Some(category) = consent_needed(state, connection).await? else {
        return Ok(None);
    };
    let ledger = state
        .store
        .consent_ledger(connection.client_id, connection.company_id)
        .await
        .map_err(|e| ApiError::from_repo(e, connection_not_found(connection.id)))?;
    if domain::consent::active_categories(&ledger).contains(category) {
        Ok(Some(category))
    } else {
        Err(ApiError::consent_missing(category))
    }
}
