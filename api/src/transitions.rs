//! Moving a connection through the state machine: read its state, ask the
//! domain whether the cause is allowed, and write with compare-and-set.

use domain::connection::{Actor, Cause, Connection, ConnectionError};
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::ports::{RepoError, TransitionRequest};

use crate::error::ApiError;
use crate::state::AppState;

/// The 404 of a connection.
pub fn connection_not_found(id: ConnectionId) -> impl FnOnce() -> ApiError {
    move || ApiError::NotFound(format!("Data connection {id} not found"))
}

/// Applies `cause` to a connection. A cause the state machine refuses, or a
/// transition that lost a race with another one, is a 409 and changes nothing.
/// Returns the connection afterwards (`None` once deleted).
pub async fn apply(
    state: &AppState,
    client: ClientId,
    company: CompanyId,
    id: ConnectionId,
    cause: Cause,
    actor: Actor,
    error: Option<ConnectionError>,
) -> Result<Option<Connection>, ApiError> {
    let current = state
        .store
        .get_connection(client, company, id)
        .await
        .map_err(|e| ApiError::from_repo(e, connection_not_found(id)))?;
    let transition = domain::connection::transition(Some(current.status), cause)
        .map_err(|refused| ApiError::Conflict(refused.to_string()))?;
    let request = TransitionRequest {
        connection: id,
        expected_version: current.version,
        transition,
        actor,
        error,
    };
    state
        .store
        .apply_transition(client, company, request)
        .await
        .map_err(|e| match e {
            RepoError::Conflict(_) => ApiError::Conflict(
                "The connection changed while this request was handled; read it again and retry."
                    .into(),
            ),
            other => ApiError::from_repo(other, connection_not_found(id)),
        })
}
