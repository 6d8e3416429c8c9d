//! The customer's side of the OAuth journey, opened in a browser without an
//! API key: the Link URL redirects to the provider with a single-use state
//! and PKCE, and the provider's callback finishes the connection and sends
//! the customer to the client's redirect URL.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use app::oauth::{self, Grant, TokenRequest};
use chrono::{Duration, Utc};
use domain::connection::{Actor, Cause, Connection, ConnectionError, ConnectionStatus};
use domain::customer_pages::Notice;
use domain::integration::{AuthMethod, OAuthSettings};
use domain::ports::{Consumed, OAuthState, SecretChange};
use domain::profile::{fill_redirect, percent_encode};
use domain::secrets::SecretLocation;
use serde::Deserialize;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::catalogue::Entry;
use crate::customer_page::{self, Brand};
use crate::error::{ApiError, ErrorCode};
use crate::html_page::{escape_html, redirect};
use crate::state::AppState;
use app::connections::{self, Change};
use app::AppError;

/// How long a customer has between the Link URL and the provider's callback.
const STATE_LIFETIME_MINUTES: i64 = 10;
/// Most custom values a Link URL may carry for the redirect.
const MAX_CUSTOM_PARAMS: usize = 20;
/// Most bytes the custom names and values may hold together (they are stored with the state).
const MAX_CUSTOM_BYTES: usize = 2048;
/// The Link URL parameter that asks for the hand-off to return to the hosted
/// journey (`linkReturn=hosted`) instead of the client's redirect URL.
pub const RETURN_PARAM: &str = "linkReturn";

/// How a journey step ended, as the client's redirect URL receives it.
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
    fn status_code(self) -> u16 {
        match self {
            Self::Linked => 200,
            Self::AlreadyLinked => 201,
            Self::Cancelled | Self::ConsentRequired => 403,
            Self::Failed => 500,
            Self::NotSupported => 501,
        }
    }

    fn status_text(self) -> &'static str {
        match self {
            Self::Linked => "Linked",
            Self::AlreadyLinked => "AlreadyLinked",
            Self::Cancelled => "Cancelled",
            Self::ConsentRequired => "ConsentRequired",
            Self::Failed => "Failed",
            Self::NotSupported => "NotSupported",
        }
    }

    /// What the customer's page says of it.
    fn notice(self) -> Notice {
        match self {
            Self::Linked | Self::AlreadyLinked => Notice::Connected,
            Self::Cancelled => Notice::Cancelled,
            Self::ConsentRequired => Notice::ConsentMissing,
            Self::NotSupported => Notice::NotOffered,
            Self::Failed => Notice::NotConnected,
        }
    }

    fn error_message(self) -> &'static str {
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

/// The OAuth redirect URI registered with providers.
pub fn callback_url(public_url: &str) -> String {
    format!("{public_url}/link/oauth/callback")
}

/// `GET /link/companies/{companyId}/connections/{connectionId}/start`
pub async fn start(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (company, id) = path.into_inner();
    let connection = state
        .store
        .find_connection(company.into(), id.into())
        .await
        .map_err(|e| connections::in_connection(e, id.into()))?;
    let mut custom = custom_params(request.query_string())?;
    let consent_declined = custom
        .remove(crate::routes::link_session::CONSENT_PARAM)
        .is_some_and(|value| value == "declined");
    let entry = catalogue_entry(&state, &connection)?;
    let ended = |outcome| finish(&state, &request, &connection, entry, &custom, outcome);
    let failed = |outcome| fail(&state, &request, &connection, entry, &custom, outcome);
    if connection.status == ConnectionStatus::Linked {
        return ended(Outcome::AlreadyLinked).await;
    }
    let AuthMethod::OAuth2(oauth) = &entry.integration.auth else {
        return ended(Outcome::NotSupported).await;
    };
    if !crate::routes::integrations::enabled_for(&state, connection.client_id, entry).await? {
        return failed(Outcome::NotSupported).await;
    }
    if !consented(&state, &connection).await? {
        if !consent_declined && !custom.contains_key(RETURN_PARAM) {
            // A flow built for Codat records no consent: the customer gives it
            // on Link API's consent step, which then comes back here. (The
            // journeys of Link API's own pages ask for it before any platform.)
            return Ok(redirect(&crate::routes::link_session::consent_step_url(
                &state,
                connection.company_id,
                connection.id.as_uuid(),
                &custom,
            )));
        }
        return failed(Outcome::ConsentRequired).await;
    }
    let Some((client_id, _)) =
        app::secrets::oauth_application(state.store.as_ref(), &state.cipher, &connection).await?
    else {
        tracing::warn!(platform = %connection.platform_key, "no OAuth application is registered for this platform");
        return failed(Outcome::Failed).await;
    };
    let state_value = oauth::random_token(32);
    let verifier = Zeroizing::new(oauth::random_token(48));
    let hash = oauth::state_hash(&state_value);
    let sealed = state
        .cipher
        .seal(
            verifier.as_bytes(),
            &SecretLocation::OAuthState(hash.clone()).context(),
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let saved = OAuthState {
        client: connection.client_id,
        company: connection.company_id,
        connection: connection.id,
        verifier: sealed,
        redirect_params: custom,
        expires_at: Utc::now() + Duration::minutes(STATE_LIFETIME_MINUTES),
    };
    state.store.save_oauth_state(&hash, &saved).await?;
    let location = authorize_url(
        oauth,
        &client_id,
        &callback_url(&state.public_url),
        &state_value,
        &oauth::pkce_challenge(&verifier),
    );
    Ok(redirect(&location))
}

fn authorize_url(
    oauth: &OAuthSettings,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> String {
    let separator = if oauth.authorize_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", &oauth.scopes.join(" ")),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    format!("{}{separator}{query}", oauth.authorize_url)
}

/// Custom `{name}` values from the Link URL's query string.
pub fn custom_params(query: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidQueryString,
            "The Link URL's query string is not valid.",
        )
    })?;
    let total: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
    if pairs.len() > MAX_CUSTOM_PARAMS
        || total > MAX_CUSTOM_BYTES
        || pairs
            .iter()
            .any(|(k, v)| k.len() > 64 || v.chars().count() > 500)
    {
        return Err(ApiError::new(ErrorCode::InvalidLinkUrlValues, format!(
            "A Link URL carries at most {MAX_CUSTOM_PARAMS} values, names up to 64 and values up to 500 characters, \
             {MAX_CUSTOM_BYTES} bytes in all."
        )));
    }
    // They fill the client's redirect URL, reach the log and are stored.
    if pairs
        .iter()
        .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidLinkUrlValues,
            "A Link URL's names and values hold no control characters.",
        ));
    }
    Ok(pairs.into_iter().collect())
}

fn catalogue_entry<'a>(
    state: &'a AppState,
    connection: &Connection,
) -> Result<&'a Entry, ApiError> {
    state
        .catalogue
        .get(&connection.platform_key)
        .ok_or_else(|| {
            ApiError::Internal(format!(
                "integration {} left the catalogue",
                connection.platform_key
            ))
        })
}

/// The provider's answer.
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /link/oauth/callback`
pub async fn callback(
    state: web::Data<AppState>,
    params: web::Query<CallbackParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let state_value = params.state.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidAuthorizationRequest,
            "The provider's answer has no state.",
        )
    })?;
    let hash = oauth::state_hash(&state_value);
    let (saved, fresh) = match state.store.consume_oauth_state(&hash).await? {
        Consumed::Fresh(saved) => (saved, true),
        Consumed::Replayed(saved) | Consumed::Expired(saved) => (saved, false),
        Consumed::Unknown => {
            return Err(ApiError::new(
                ErrorCode::AuthorizationUnknown,
                "This authorization is not known; start again from the Link URL.",
            ))
        }
    };
    let connection = connections::load(
        state.store.as_ref(),
        saved.client,
        saved.company,
        saved.connection,
    )
    .await?;
    let entry = catalogue_entry(&state, &connection)?;
    let custom = &saved.redirect_params;
    let failed = |outcome| fail(&state, &request, &connection, entry, custom, outcome);
    if !fresh {
        tracing::info!(connection = %connection.id, "an expired or already used OAuth state came back; nothing changes");
        return finish(
            &state,
            &request,
            &connection,
            entry,
            custom,
            Outcome::Failed,
        )
        .await;
    }
    if let Some(error) = params.error {
        let outcome = if error == "access_denied" {
            Outcome::Cancelled
        } else {
            Outcome::Failed
        };
        return failed(outcome).await;
    }
    let (Some(code), AuthMethod::OAuth2(oauth)) = (params.code, &entry.integration.auth) else {
        return failed(Outcome::Failed).await;
    };
    if !crate::routes::integrations::enabled_for(&state, connection.client_id, entry).await? {
        return failed(Outcome::NotSupported).await;
    }
    if !consented(&state, &connection).await? {
        return failed(Outcome::ConsentRequired).await;
    }
    let Some((client_id, client_secret)) =
        app::secrets::oauth_application(state.store.as_ref(), &state.cipher, &connection).await?
    else {
        return failed(Outcome::Failed).await;
    };
    let verifier = open_verifier(&state, &saved, &hash)?;
    let redirect_uri = callback_url(&state.public_url);
    let exchange = TokenRequest {
        token_url: &oauth.token_url,
        client_auth: oauth.client_auth,
        client_id: &client_id,
        client_secret: &client_secret,
        grant: Grant::AuthorizationCode {
            code: &code,
            redirect_uri: &redirect_uri,
            code_verifier: &verifier,
        },
    };
    let tokens = match state
        .token_endpoint(&connection.platform_key)
        .request(exchange)
        .await
    {
        Ok(tokens) => tokens,
        Err(error) => {
            tracing::warn!(?error, platform = %connection.platform_key, "the code exchange failed");
            return failed(Outcome::Failed).await;
        }
    };
    let secret = app::secrets::seal_tokens(&state.cipher, connection.id, &tokens)?;
    let change = Change {
        secret: SecretChange::Put(secret),
        consent_for: connections::consent_needed(state.settings(), &connection).await?,
        ..Change::new(Cause::Authorized, Actor::Customer)
    };
    let which = (saved.client, saved.company, saved.connection);
    let outcome =
        match connections::apply(state.store.as_ref(), state.settings(), which, change).await {
            Ok(_) => Outcome::Linked,
            Err(AppError::Refused(_)) => Outcome::AlreadyLinked,
            Err(AppError::ConsentMissing(_)) => Outcome::ConsentRequired,
            Err(other) => return Err(other.into()),
        };
    finish(&state, &request, &connection, entry, custom, outcome).await
}

/// The PKCE verifier of a stored state, opened.
pub fn open_verifier(
    state: &AppState,
    saved: &OAuthState,
    state_hash: &str,
) -> Result<Zeroizing<String>, ApiError> {
    let verifier = state
        .cipher
        .open(
            &saved.verifier,
            &SecretLocation::OAuthState(state_hash.to_owned()).context(),
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    String::from_utf8(verifier.to_vec())
        .map(Zeroizing::new)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Whether the connection may be linked as far as consent goes: no consent
/// is needed, or an active one covers its category.
async fn consented(state: &AppState, connection: &Connection) -> Result<bool, ApiError> {
    match connections::check_consent(state.store.as_ref(), state.settings(), connection).await {
        Ok(_) => Ok(true),
        Err(AppError::ConsentMissing(_)) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// Records a failed authorization (when the state machine allows it) and finishes.
async fn fail(
    state: &AppState,
    request: &HttpRequest,
    connection: &Connection,
    entry: &Entry,
    custom: &BTreeMap<String, String>,
    outcome: Outcome,
) -> Result<HttpResponse, ApiError> {
    if connection.status == ConnectionStatus::PendingAuth {
        let change = Change {
            error: Some(outcome.connection_error()),
            ..Change::new(Cause::AuthorizationFailed, Actor::Customer)
        };
        let which = (connection.client_id, connection.company_id, connection.id);
        if let Err(error) =
            connections::apply(state.store.as_ref(), state.settings(), which, change).await
        {
            tracing::info!(%error, "the failed authorization was not recorded");
        }
    }
    finish(state, request, connection, entry, custom, outcome).await
}

/// Sends the customer to the client's redirect URL, or shows a page when the
/// client has none or it points outside its allowed origins.
async fn finish(
    state: &AppState,
    request: &HttpRequest,
    connection: &Connection,
    entry: &Entry,
    custom: &BTreeMap<String, String>,
    outcome: Outcome,
) -> Result<HttpResponse, ApiError> {
    if custom.get(RETURN_PARAM).map(String::as_str) == Some("popup") {
        return return_to_popup(state, request, connection, entry, custom, outcome).await;
    }
    if custom.get(RETURN_PARAM).map(String::as_str) == Some("page") {
        if let Some(back) = page_return(state, connection, custom, outcome).await? {
            return Ok(redirect(&back));
        }
    }
    if custom.get(RETURN_PARAM).map(String::as_str) == Some("hosted") {
        let back = return_to_journey(
            &state.public_url,
            connection,
            custom,
            (outcome.status_code(), outcome.status_text()),
        );
        return Ok(redirect(&back));
    }
    let profile =
        crate::client_settings::profile(state.store.as_ref(), connection.client_id).await?;
    let mut values = custom.clone();
    for (name, value) in [
        ("clientId", connection.client_id.to_string()),
        ("companyId", connection.company_id.to_string()),
        ("connectionId", connection.id.to_string()),
        ("integrationId", entry.integration_id.to_string()),
        ("sourceId", entry.source_id.to_string()),
        ("platform", connection.platform_key.to_string()),
        ("platformName", entry.integration.name.clone()),
        ("sourceType", connection.source_type.as_str().to_owned()),
        ("statusCode", outcome.status_code().to_string()),
        ("statusText", outcome.status_text().to_owned()),
        ("errorMessage", outcome.error_message().to_owned()),
    ] {
        values.insert(name.to_owned(), value);
    }
    if !profile.redirect_url.is_empty() {
        match fill_redirect(&profile.redirect_url, &values, &profile.whitelist_urls) {
            Some(target) if allowed_origin(&target, &profile.whitelist_urls) => {
                return Ok(redirect(&target));
            }
            Some(_) => tracing::warn!(
                "the filled redirect URL is outside the client's whiteListUrls; showing a page instead"
            ),
            None => tracing::warn!(
                "the redirect URL template has a placeholder before its path; showing a page instead"
            ),
        }
    }
    let brand = Brand::named(state, connection.client_id, profile.name).await?;
    let language = customer_page::language_for(request, custom.get("locale").map(String::as_str));
    Ok(customer_page::notice(
        StatusCode::OK,
        language,
        Some(&brand),
        outcome.notice(),
        &entry.integration.name,
    ))
}

/// Whether `target` is an http(s) URL whose origin is among `allowed` (any, when empty).
pub fn allowed_origin(target: &str, allowed: &[String]) -> bool {
    let Ok(url) = url::Url::parse(target) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    allowed.is_empty()
        || allowed
            .iter()
            .filter_map(|a| url::Url::parse(a).ok())
            .any(|a| a.origin() == url.origin())
}

/// The Link URL parameter naming the origin of the embedded journey that
/// opened the provider in a popup (`linkReturn=popup`).
pub const ORIGIN_PARAM: &str = "linkOrigin";

/// The Link URL parameter naming the page an embedded journey sent to the
/// provider itself (`linkReturn=page`, for in-app webviews), to come back to.
pub const BACK_PARAM: &str = "linkBack";

/// Where the provider's answer goes back to the page that sent the customer
/// (`linkBack`), with how it ended in its query: only an http(s) page on the
/// service's own origin or one of the client's CORS origins; `None` (a page
/// of the service's instead) otherwise.
async fn page_return(
    state: &AppState,
    connection: &Connection,
    custom: &BTreeMap<String, String>,
    outcome: Outcome,
) -> Result<Option<String>, ApiError> {
    let Some(mut back) = custom
        .get(BACK_PARAM)
        .and_then(|b| url::Url::parse(b).ok())
        .filter(|b| {
            matches!(b.scheme(), "http" | "https")
                && b.username().is_empty()
                && b.password().is_none()
        })
    else {
        tracing::warn!("a page return without a usable linkBack; showing a page instead");
        return Ok(None);
    };
    let origin = back.origin().ascii_serialization().to_ascii_lowercase();
    if origin != state.own_origin()
        && !crate::auth::origin_allowed(state, connection.client_id, &origin).await?
    {
        tracing::warn!(%origin, "a page return to an origin outside the client's CORS settings; showing a page instead");
        return Ok(None);
    }
    back.query_pairs_mut()
        .append_pair("linkCompanyId", &connection.company_id.to_string())
        .append_pair("linkConnectionId", &connection.id.to_string())
        .append_pair("linkStatusCode", &outcome.status_code().to_string())
        .append_pair("linkStatusText", outcome.status_text());
    Ok(Some(back.into()))
}

/// The last page of a provider's popup opened by the embedded journey: it
/// says how the authorization ended and, when the journey's origin is the
/// service's own or one of the client's CORS origins, posts that to the
/// opener on that origin alone (a script of the service's own), then closes.
async fn return_to_popup(
    state: &AppState,
    request: &HttpRequest,
    connection: &Connection,
    entry: &Entry,
    custom: &BTreeMap<String, String>,
    outcome: Outcome,
) -> Result<HttpResponse, ApiError> {
    let origin = custom
        .get(ORIGIN_PARAM)
        .map(|o| o.to_ascii_lowercase())
        .unwrap_or_default();
    let allowed = !origin.is_empty()
        && crate::auth::origin_allowed(state, connection.client_id, &origin).await?;
    let head = if allowed {
        let report = serde_json::json!({
            "connectionId": connection.id.to_string(),
            "statusCode": outcome.status_code().to_string(),
            "statusText": outcome.status_text(),
            "origin": origin,
        });
        format!(
            "<meta name=\"link-api-authorization\" content=\"{}\"><script type=\"module\" src=\"/link/assets/popup.js?v={}\"></script>",
            escape_html(&report.to_string()),
            crate::routes::bundle::version()
        )
    } else {
        tracing::warn!(?origin, "a popup's journey origin is not among the client's CORS origins; nothing is posted to it");
        String::new()
    };
    let brand = Brand::of(state, connection.client_id).await?;
    let language = customer_page::language_for(request, custom.get("locale").map(String::as_str));
    Ok(customer_page::notice_with_head(
        language,
        &brand,
        outcome.notice(),
        &entry.integration.name,
        &head,
    ))
}

/// When the Link URL was opened from the hosted journey, the OAuth hand-off
/// returns there: the journey page with the connection and how it ended
/// (`connectionId`, `statusCode`, `statusText`), and the custom values of
/// the Link URL (minus the marker itself), which the journey carries on to
/// the client's redirect URL at its end.
pub fn return_to_journey(
    public_url: &str,
    connection: &domain::connection::Connection,
    custom: &BTreeMap<String, String>,
    (status_code, status_text): (u16, &str),
) -> String {
    let mut query: Vec<(String, String)> = custom
        .iter()
        .filter(|(name, _)| name.as_str() != crate::routes::link::RETURN_PARAM)
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    query.extend([
        ("connectionId".to_owned(), connection.id.to_string()),
        ("statusCode".to_owned(), status_code.to_string()),
        ("statusText".to_owned(), status_text.to_owned()),
    ]);
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    format!(
        "{public_url}/link/company/{}?{query}",
        connection.company_id
    )
}
