//! The customer's OAuth hand-off: the Link URL's start (a single-use state
//! and a PKCE verifier kept, the provider's address made) and the
//! provider's answer (the state consumed once, the code exchanged, the
//! tokens sealed, the connection linked). Each returns what happened, which
//! `api` renders as a redirect or a page.

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use domain::connection::{Actor, Cause, Connection, ConnectionError, ConnectionStatus};
use domain::integration::{AuthMethod, Integration, OAuthSettings};
use domain::ports::{
    ConnectionRepository, ConsentRepository, Consumed, IntegrationSettingsRepository,
    InvitationRepository, OAuthState, OAuthStateRepository, SecretChange,
};
use domain::profile::percent_encode;
use domain::secrets::SecretLocation;
use zeroize::Zeroizing;

use crate::connections::{self, Change};
use crate::oauth::{self, Grant, TokenRequest};
use crate::ports::{ClientSettings, Providers};
use crate::secrets::Cipher;
use crate::AppError;

/// How long a customer has between the Link URL and the provider's answer.
const STATE_LIFETIME: TimeDelta = TimeDelta::minutes(10);

/// How a step of the hand-off ended, as the client's redirect URL hears it
/// (`statusCode` and `statusText`, as Codat's Link says them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Linked,
    AlreadyLinked,
    Cancelled,
    /// The company has no active consent for the connection's category.
    ConsentRequired,
    Failed,
    NotSupported,
}

impl Outcome {
    pub fn status_code(self) -> u16 {
        match self {
            Self::Linked => 200,
            Self::AlreadyLinked => 201,
            Self::Cancelled | Self::ConsentRequired => 403,
            Self::Failed => 500,
            Self::NotSupported => 501,
        }
    }

    pub fn status_text(self) -> &'static str {
        match self {
            Self::Linked => "Linked",
            Self::AlreadyLinked => "AlreadyLinked",
            Self::Cancelled => "Cancelled",
            Self::ConsentRequired => "ConsentRequired",
            Self::Failed => "Failed",
            Self::NotSupported => "NotSupported",
        }
    }

    pub fn error_message(self) -> &'static str {
        match self {
            Self::Linked | Self::AlreadyLinked => "",
            Self::Cancelled => "User cancelled.",
            Self::ConsentRequired => "Consent required.",
            Self::Failed => "Unknown error occurred.",
            Self::NotSupported => "Not supported.",
        }
    }

    /// The error recorded on the connection for this outcome.
    fn connection_error(self) -> ConnectionError {
        ConnectionError {
            status_code: self.status_code().to_string(),
            status_text: self.status_text().into(),
            error_message: self.error_message().into(),
            errored_on: Utc::now(),
            resolved_on: None,
        }
    }
}

/// What the hand-off works with: the store, the client's settings, the
/// platforms and their token endpoints, the cipher, and the callback
/// address registered with providers.
pub struct Handoff<'a, S: ?Sized> {
    pub store: &'a S,
    pub settings: &'a dyn ClientSettings,
    pub providers: &'a dyn Providers,
    pub cipher: &'a Cipher,
    pub redirect_uri: String,
}

/// Where the Link URL leads.
pub enum Started {
    /// To the provider, at this address.
    Provider(String),
    /// Nowhere yet: the company has not consented to the connection's
    /// category. The caller offers its consent step, or ends the step with
    /// [`Outcome::ConsentRequired`] through [`Handoff::record_failure`].
    NeedsConsent,
    /// Nowhere: the step ends with this outcome (a failure already recorded
    /// on the connection).
    Ended(Outcome),
}

/// How the provider's answer ended, for the connection it was about and the
/// custom values its Link URL carried.
pub struct Answered {
    pub connection: Connection,
    pub custom: BTreeMap<String, String>,
    pub outcome: Outcome,
}

/// The provider's answer at the callback address.
pub struct Answer {
    pub state: String,
    pub code: Option<String>,
    pub error: Option<String>,
}

impl<S> Handoff<'_, S>
where
    S: ConnectionRepository
        + ConsentRepository
        + IntegrationSettingsRepository
        + InvitationRepository
        + OAuthStateRepository
        + ?Sized,
{
    /// Starts the hand-off of `connection` at its Link URL, keeping `custom`
    /// (the Link URL's own values) for the way back.
    pub async fn start(
        &self,
        connection: &Connection,
        custom: BTreeMap<String, String>,
    ) -> Result<Started, AppError> {
        let integration = self.integration(connection)?;
        if connection.status == ConnectionStatus::Linked {
            return Ok(Started::Ended(Outcome::AlreadyLinked));
        }
        let AuthMethod::OAuth2(settings) = &integration.auth else {
            return Ok(Started::Ended(Outcome::NotSupported));
        };
        if !self.enabled(connection, integration).await? {
            return self.ended(connection, Outcome::NotSupported).await;
        }
        if !self.consented(connection).await? {
            return Ok(Started::NeedsConsent);
        }
        let Some((client_id, _)) =
            crate::secrets::oauth_application(self.store, self.cipher, connection).await?
        else {
            tracing::warn!(platform = %connection.platform_key, "no OAuth application is registered for this platform");
            return self.ended(connection, Outcome::Failed).await;
        };
        let state = oauth::random_token(32);
        let verifier = Zeroizing::new(oauth::random_token(48));
        let hash = oauth::state_hash(&state);
        let sealed = self.cipher.seal(
            verifier.as_bytes(),
            &SecretLocation::OAuthState(hash.clone()).context(),
        )?;
        let saved = OAuthState {
            client: connection.client_id,
            company: connection.company_id,
            connection: connection.id,
            verifier: sealed,
            redirect_params: custom,
            expires_at: Utc::now() + STATE_LIFETIME,
        };
        self.store.save_oauth_state(&hash, &saved).await?;
        let challenge = oauth::pkce_challenge(&verifier);
        Ok(Started::Provider(authorize_url(
            settings,
            &client_id,
            &self.redirect_uri,
            &state,
            &challenge,
        )))
    }

    /// Finishes the hand-off with the provider's answer. A state the store
    /// never issued is [`AppError::AuthorizationUnknown`]; one already used
    /// or expired changes nothing and ends as `Failed`.
    pub async fn answer(&self, answer: Answer) -> Result<Answered, AppError> {
        let hash = oauth::state_hash(&answer.state);
        let (saved, fresh) = match self.store.consume_oauth_state(&hash).await? {
            Consumed::Fresh(saved) => (saved, true),
            Consumed::Replayed(saved) | Consumed::Expired(saved) => (saved, false),
            Consumed::Unknown => return Err(AppError::AuthorizationUnknown),
        };
        let connection =
            connections::load(self.store, saved.client, saved.company, saved.connection).await?;
        let outcome = if fresh {
            self.exchange(&connection, &saved, &hash, answer).await?
        } else {
            tracing::info!(connection = %connection.id, "an expired or already used OAuth state came back; nothing changes");
            Outcome::Failed
        };
        Ok(Answered {
            connection,
            custom: saved.redirect_params,
            outcome,
        })
    }

    /// Records on a connection waiting for authorization that a step ended
    /// with `outcome` (when the state machine allows it; a connection that
    /// moved on meanwhile is left as it is).
    pub async fn record_failure(&self, connection: &Connection, outcome: Outcome) {
        if connection.status != ConnectionStatus::PendingAuth {
            return;
        }
        let change = Change {
            error: Some(outcome.connection_error()),
            ..Change::new(Cause::AuthorizationFailed, Actor::Customer)
        };
        let which = (connection.client_id, connection.company_id, connection.id);
        if let Err(error) = connections::apply(self.store, self.settings, which, change).await {
            tracing::info!(%error, "the failed authorization was not recorded");
        }
    }

    /// The code exchanged for tokens, sealed, and the connection linked.
    async fn exchange(
        &self,
        connection: &Connection,
        saved: &OAuthState,
        hash: &str,
        answer: Answer,
    ) -> Result<Outcome, AppError> {
        let integration = self.integration(connection)?;
        if let Some(error) = answer.error {
            let outcome = if error == "access_denied" {
                Outcome::Cancelled
            } else {
                Outcome::Failed
            };
            return self.failed(connection, outcome).await;
        }
        let (Some(code), AuthMethod::OAuth2(settings)) = (answer.code, &integration.auth) else {
            return self.failed(connection, Outcome::Failed).await;
        };
        if !self.enabled(connection, integration).await? {
            return self.failed(connection, Outcome::NotSupported).await;
        }
        if !self.consented(connection).await? {
            return self.failed(connection, Outcome::ConsentRequired).await;
        }
        let Some((client_id, client_secret)) =
            crate::secrets::oauth_application(self.store, self.cipher, connection).await?
        else {
            return self.failed(connection, Outcome::Failed).await;
        };
        let verifier = crate::secrets::open_verifier(self.cipher, saved, hash)?;
        let request = TokenRequest {
            token_url: &settings.token_url,
            client_auth: settings.client_auth,
            client_id: &client_id,
            client_secret: &client_secret,
            grant: Grant::AuthorizationCode {
                code: &code,
                redirect_uri: &self.redirect_uri,
                code_verifier: &verifier,
            },
        };
        let tokens = match self
            .providers
            .token_endpoint(&connection.platform_key)
            .request(request)
            .await
        {
            Ok(tokens) => tokens,
            Err(error) => {
                tracing::warn!(?error, platform = %connection.platform_key, "the code exchange failed");
                return self.failed(connection, Outcome::Failed).await;
            }
        };
        let secret = crate::secrets::seal_tokens(self.cipher, connection.id, &tokens)?;
        let change = Change {
            secret: SecretChange::Put(secret),
            consent_for: connections::consent_needed(self.settings, connection).await?,
            ..Change::new(Cause::Authorized, Actor::Customer)
        };
        let which = (saved.client, saved.company, saved.connection);
        match connections::apply(self.store, self.settings, which, change).await {
            Ok(_) => Ok(Outcome::Linked),
            Err(AppError::Refused(_)) => Ok(Outcome::AlreadyLinked),
            Err(AppError::ConsentMissing(_)) => Ok(Outcome::ConsentRequired),
            Err(other) => Err(other),
        }
    }

    fn integration(&self, connection: &Connection) -> Result<&Integration, AppError> {
        self.providers
            .integration(&connection.platform_key)
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "integration {} left the catalogue",
                    connection.platform_key
                ))
            })
    }

    /// Whether the client's customers may use the connection's integration now.
    async fn enabled(
        &self,
        connection: &Connection,
        integration: &Integration,
    ) -> Result<bool, AppError> {
        let setting = self
            .store
            .get_integration_setting(connection.client_id, &integration.key)
            .await?;
        Ok(integration.enabled(setting.map(|s| s.enabled)))
    }

    /// Whether the connection may be linked as far as consent goes: no
    /// consent is needed, or an active one covers its category.
    async fn consented(&self, connection: &Connection) -> Result<bool, AppError> {
        match connections::check_consent(self.store, self.settings, connection).await {
            Ok(_) => Ok(true),
            Err(AppError::ConsentMissing(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn failed(&self, connection: &Connection, outcome: Outcome) -> Result<Outcome, AppError> {
        self.record_failure(connection, outcome).await;
        Ok(outcome)
    }

    async fn ended(&self, connection: &Connection, outcome: Outcome) -> Result<Started, AppError> {
        self.record_failure(connection, outcome).await;
        Ok(Started::Ended(outcome))
    }
}

/// The provider's authorization address for this request.
fn authorize_url(
    settings: &OAuthSettings,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> String {
    let separator = if settings.authorize_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", &settings.scopes.join(" ")),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    format!("{}{separator}{query}", settings.authorize_url)
}
