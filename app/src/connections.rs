//! Moving a connection through the state machine: read its state, ask the
//! domain whether the cause is allowed, and write with compare-and-set, so
//! that of two changes racing only one is made.

use domain::connection::{Actor, Cause, Connection, ConnectionError, ConnectionStatus};
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::integration::PlatformKey;
use domain::link_settings::CategorySet;
use domain::ports::{
    ConnectionRepository, ConsentRepository, IntegrationSettingsRepository, InvitationRepository,
    NewConnection, RepoError, SecretChange, TransitionRequest,
};
use domain::{FieldError, ValidationErrors};

use crate::ports::{ClientSettings, Providers};
use crate::AppError;

/// The client's connection.
pub async fn load<S>(
    store: &S,
    client: ClientId,
    company: CompanyId,
    id: ConnectionId,
) -> Result<Connection, AppError>
where
    S: ConnectionRepository + ?Sized,
{
    store
        .get_connection(client, company, id)
        .await
        .map_err(|e| in_connection(e, id))
}

/// A store error of a connection's write: `NotFound` there is the
/// connection, and a `Conflict` is a lost race.
pub fn in_connection(error: RepoError, id: ConnectionId) -> AppError {
    match error {
        RepoError::NotFound => AppError::ConnectionNotFound(id),
        RepoError::Conflict(_) => AppError::ConcurrentChange("connection"),
        other => other.into(),
    }
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
    /// race can slip a linked connection through.
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

/// Applies a change to a connection. A cause the state machine refuses, or
/// a transition that lost a race with another one, changes nothing. Returns
/// the connection afterwards (`None` once deleted). A connection that
/// becomes `Linked` may complete the company's invitations.
pub async fn apply<S>(
    store: &S,
    settings: &dyn ClientSettings,
    (client, company, id): (ClientId, CompanyId, ConnectionId),
    change: Change,
) -> Result<Option<Connection>, AppError>
where
    S: ConnectionRepository + InvitationRepository + ?Sized,
{
    let current = load(store, client, company, id).await?;
    if change.pending_only && current.status != ConnectionStatus::PendingAuth {
        return Err(AppError::NotPending);
    }
    let transition = domain::connection::transition(Some(current.status), change.cause)
        .map_err(|refused| AppError::Refused(refused.to_string()))?;
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
    let after = store
        .apply_transition(client, company, request)
        .await
        .map_err(|e| in_connection(e, id))?;
    if linked {
        // The link is done; a failure here only delays an invitation's completion.
        if let Err(error) = crate::invitations::complete(store, settings, client, company).await {
            tracing::warn!(%error, "invitations were not checked for completion");
        }
    }
    Ok(after)
}

/// The category whose active consent linking `connection` needs under the
/// client's newest link settings; `None` when consent is not required.
pub async fn consent_needed(
    settings: &dyn ClientSettings,
    connection: &Connection,
) -> Result<Option<&'static str>, AppError> {
    let settings = settings.link_settings(connection.client_id).await?;
    Ok(settings.consent_category(connection.source_type))
}

/// Like [`consent_needed`], and refuses at once when the company has no
/// active consent for that category. The transition checks again as it writes.
pub async fn check_consent<S>(
    store: &S,
    settings: &dyn ClientSettings,
    connection: &Connection,
) -> Result<Option<&'static str>, AppError>
where
    S: ConsentRepository + ?Sized,
{
    let Some(category) = consent_needed(settings, connection).await? else {
        return Ok(None);
    };
    let ledger = store
        .consent_ledger(connection.client_id, connection.company_id)
        .await
        .map_err(|e| in_connection(e, connection.id))?;
    if domain::consent::active_categories(&ledger).contains(category) {
        Ok(Some(category))
    } else {
        Err(AppError::ConsentMissing(category))
    }
}

/// A connection to create: the company, the platform, and who asks (a
/// customer's journey, limited to `covered` categories when it comes from an
/// invitation, or the client's back end).
pub struct NewRequest {
    pub client: ClientId,
    pub company: CompanyId,
    pub platform_key: PlatformKey,
    pub actor: Actor,
    pub by_customer: bool,
    pub covered: Option<CategorySet>,
}

/// Creates a `PendingAuth` connection of a catalogue integration the client
/// offers. A journey may create one only of a platform a customer can
/// connect now (see [`crate::integrations::readiness`]).
pub async fn create<S>(
    store: &S,
    providers: &dyn Providers,
    request: NewRequest,
) -> Result<Connection, AppError>
where
    S: ConnectionRepository + IntegrationSettingsRepository + ?Sized,
{
    let key = request.platform_key;
    let Some(integration) = providers.integration(&key) else {
        return Err(invalid(FieldError::new(
            "platformKey",
            "UnknownIntegration",
            format!("No integration has the key `{key}`."),
        )));
    };
    crate::error::check_covered(request.covered, integration.source_type.category())?;
    let setting = store.get_integration_setting(request.client, &key).await?;
    if !crate::integrations::enabled(integration, setting.as_ref()) {
        return Err(invalid(FieldError::new(
            "platformKey",
            "DisabledIntegration",
            format!(
                "{} is disabled for your customers; enable it in /integrations/{key}/settings.",
                integration.name
            ),
        )));
    }
    if request.by_customer {
        if let Err(why) = crate::integrations::readiness(integration, setting.as_ref()) {
            return Err(AppError::NotReady {
                name: integration.name.clone(),
                remedy: why.remedy(&key),
            });
        }
    }
    let new = NewConnection {
        company: request.company,
        platform_key: key,
        source_type: integration.source_type,
    };
    store
        .create_connection(request.client, new, request.actor)
        .await
        .map_err(|e| match e {
            RepoError::Conflict(_) => AppError::AccountingConnectionExists,
            RepoError::NotFound => AppError::CompanyNotFound(request.company),
            other => other.into(),
        })
}

/// The refusal of a request with one wrong field.
fn invalid(error: FieldError) -> AppError {
    AppError::Invalid(ValidationErrors(vec![error]))
}
