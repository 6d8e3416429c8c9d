//! The customer's side of the OAuth journey, opened in a browser without an
//! API key: the Link URL redirects to the provider with a single-use state
//! and PKCE, and the provider's callback finishes the connection and sends
//! the customer to the client's redirect URL.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::connection::Connection;
use domain::customer_pages::Notice;
use domain::profile::fill_redirect;
use serde::Deserialize;
use uuid::Uuid;

use crate::catalogue::Entry;
use crate::customer_page::{self, Brand};
use crate::error::{ApiError, ErrorCode};
use crate::html_page::{escape_html, redirect};
use crate::state::AppState;
use app::connections::{self};
use app::handoff::{Answer, Handoff, Outcome, Started};

/// Most custom values a Link URL may carry for the redirect.
const MAX_CUSTOM_PARAMS: usize = 20;
/// Most bytes the custom names and values may hold together (they are stored with the state).
const MAX_CUSTOM_BYTES: usize = 2048;
/// The Link URL parameter that asks for the hand-off to return to the hosted
/// journey (`linkReturn=hosted`) instead of the client's redirect URL.
pub const RETURN_PARAM: &str = "linkReturn";

/// What the customer's page says of how a step ended.
fn notice_of(outcome: Outcome) -> Notice {
    match outcome {
        Outcome::Linked | Outcome::AlreadyLinked => Notice::Connected,
        Outcome::Cancelled => Notice::Cancelled,
        Outcome::ConsentRequired => Notice::ConsentMissing,
        Outcome::NotSupported => Notice::NotOffered,
        Outcome::Failed => Notice::NotConnected,
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
    let handoff = handoff(&state);
    let outcome = match handoff.start(&connection, custom.clone()).await? {
        Started::Provider(location) => return Ok(redirect(&location)),
        Started::Ended(outcome) => outcome,
        // A flow built for Codat records no consent: the customer gives it
        // on Link API's consent step, which then comes back here. (The
        // journeys of Link API's own pages ask for it before any platform.)
        Started::NeedsConsent if !consent_declined && !custom.contains_key(RETURN_PARAM) => {
            return Ok(redirect(&crate::routes::link_session::consent_step_url(
                &state,
                connection.company_id,
                connection.id.as_uuid(),
                &custom,
            )));
        }
        Started::NeedsConsent => {
            handoff
                .record_failure(&connection, Outcome::ConsentRequired)
                .await;
            Outcome::ConsentRequired
        }
    };
    finish(&state, &request, &connection, entry, &custom, outcome).await
}

/// The OAuth hand-off as this service runs it.
fn handoff(state: &AppState) -> Handoff<'_, dyn domain::ports::Store> {
    Handoff {
        store: state.store.as_ref(),
        settings: state.settings(),
        providers: state,
        cipher: &state.cipher,
        redirect_uri: callback_url(&state.public_url),
    }
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
    let answer = Answer {
        state: state_value,
        code: params.code,
        error: params.error,
    };
    let answered = handoff(&state).answer(answer).await?;
    let entry = catalogue_entry(&state, &answered.connection)?;
    finish(
        &state,
        &request,
        &answered.connection,
        entry,
        &answered.custom,
        answered.outcome,
    )
    .await
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
    let profile = app::clients::profile(state.store.as_ref(), connection.client_id).await?;
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
        notice_of(outcome),
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
        notice_of(outcome),
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
