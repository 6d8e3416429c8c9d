//! How a browser enters the hosted journey by a signed link. Opening the
//! link's address (a `GET`, as mail scanners and previewers send) changes
//! nothing; the page itself opens the link with a `POST`, which uses it up
//! and gives that browser a session (an HttpOnly cookie), so the provider's
//! return and reloads find the journey again.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::company::Company;
use domain::ids::CompanyId;
use domain::journey_link::{LinkUse, SESSION_HOURS};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ApiError;
use crate::routes::hosted::{journey_token_for, known_company, TOKEN_SECONDS};
use crate::routes::link::{cookie, page_with_status};
use crate::state::AppState;

/// The cookie that lets the browser that opened a signed link come back.
const SESSION_COOKIE: &str = "link_journey";

/// What the session cookie's tag is made for.
const SESSION: &str = "link-api journey link session";

/// The cookie's value for a link: its id and a tag of it, so no other id can be put there.
fn session_value(state: &AppState, link: Uuid) -> String {
    format!("{link}.{}", state.cipher.tag(SESSION, link.as_bytes()))
}

/// The signed link whose session the request's cookie carries, if genuine.
fn session_link(state: &AppState, request: &HttpRequest) -> Option<Uuid> {
    let (id, tag) = cookie(request, SESSION_COOKIE)?.split_once('.')?;
    let id = Uuid::parse_str(id).ok()?;
    state
        .cipher
        .verify_tag(SESSION, id.as_bytes(), tag)
        .then_some(id)
}

/// The signed link of `company` this browser opened, if its session is still open.
async fn session_of(
    state: &AppState,
    request: &HttpRequest,
    company: CompanyId,
) -> Result<Option<Uuid>, ApiError> {
    let Some(id) = session_link(state, request) else {
        return Ok(None);
    };
    Ok(state
        .store
        .find_journey_link(id)
        .await?
        .filter(|link| link.company_id == company && link.session_open(Utc::now()))
        .map(|link| link.id))
}

/// How the journey page may be served.
pub enum Entry {
    /// With a company token: the bare URL where the client allows it, or this
    /// browser's session of the signed link named here.
    Token { link: Option<Uuid> },
    /// Without one: an unopened signed link, which the page opens itself.
    Unopened,
}

const USED: (&str, &str) = (
    "This link was already used",
    "Each link opens the journey once. Ask for a new link.",
);
const ENDED: (&str, &str) = (
    "This link has expired",
    "The link is past its time or was withdrawn. Ask for a new link.",
);
const UNKNOWN: (&str, &str) = (
    "This link is not valid",
    "Check that the whole address was copied, or ask for a new link.",
);

/// Checks how the journey page was asked for, changing nothing: a signed
/// link (unopened, or opened by this browser), or the bare URL (when the
/// client allows it, or this browser holds a session). Gives how to serve
/// the page, or the page to answer instead.
pub async fn admit(
    state: &AppState,
    request: &HttpRequest,
    company: &Company,
) -> Result<Result<Entry, HttpResponse>, ApiError> {
    let token = web::Query::<BTreeMap<String, String>>::from_query(request.query_string())
        .ok()
        .and_then(|q| q.get("link").cloned());
    let session = session_of(state, request, company.id).await?;
    let Some(token) = token else {
        let settings =
            crate::routes::link_settings::latest_settings(state, company.client_id).await?;
        if !settings.hosted.require_signed_links || session.is_some() {
            return Ok(Ok(Entry::Token { link: session }));
        }
        return Ok(Err(page_with_status(
            StatusCode::FORBIDDEN,
            "Open the link you were sent",
            "This journey opens from the link sent to you. Ask for a new link if you cannot find it.",
        )));
    };
    let found = state
        .store
        .peek_journey_link(&crate::oauth::state_hash(&token))
        .await?
        .filter(|link| link.company_id == company.id);
    let (status, (headline, text)) = match found {
        Some(link) if session == Some(link.id) => return Ok(Ok(Entry::Token { link: session })),
        Some(link) if link.unopened(Utc::now()) => return Ok(Ok(Entry::Unopened)),
        Some(link) if link.revoked_at.is_none() && link.used_at.is_some() => {
            (StatusCode::CONFLICT, USED)
        }
        Some(_) => (StatusCode::GONE, ENDED),
        None => (StatusCode::NOT_FOUND, UNKNOWN),
    };
    Ok(Err(page_with_status(status, headline, text)))
}

/// What the journey page sends to open its signed link.
#[derive(Debug, Deserialize)]
pub struct OpenLink {
    /// The `link` of the page's address.
    pub link: String,
}

/// `POST /link/company/{companyId}/session`: the hosted page opens the
/// signed link it was reached by. The first opening uses the link up,
/// answers the page's company token (naming the link) and sets this
/// browser's session; the same browser may ask again. Only the service's
/// own pages may ask (403 for another `Origin`); a used link answers 409,
/// an expired or revoked one 410, any other 404, each with the error body.
pub async fn open_link(
    state: web::Data<AppState>,
    company: web::Path<String>,
    body: crate::extract::Json<OpenLink>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| !o.eq_ignore_ascii_case(&state.own_origin())) {
        return Err(ApiError::Forbidden(
            "Only the journey's own page opens its links.".into(),
        ));
    }
    let company = match known_company(&state, &company).await? {
        Ok(company) => company,
        Err(_) => return Err(ApiError::NotFound(format!("{}. {}", UNKNOWN.0, UNKNOWN.1))),
    };
    let session = session_of(&state, &request, company.id).await?;
    let used = state
        .store
        .use_journey_link(
            company.id,
            &crate::oauth::state_hash(&body.link),
            Utc::now(),
        )
        .await?;
    let refusal = |(headline, text): (&str, &str)| format!("{headline}. {text}");
    let (link, new_session) = match used {
        LinkUse::Opened(link) if link.company_id == company.id => (link.id, true),
        LinkUse::AlreadyUsed(link) if session == Some(link.id) => (link.id, false),
        LinkUse::AlreadyUsed(link) if link.company_id == company.id => {
            return Err(ApiError::Conflict(refusal(USED)))
        }
        LinkUse::Ended(link) if link.company_id == company.id => {
            return Err(ApiError::Gone(refusal(ENDED)))
        }
        _ => return Err(ApiError::NotFound(refusal(UNKNOWN))),
    };
    let token = crate::routes::access_token::CompanyAccessToken {
        access_token: journey_token_for(&state, &company, Some(link))?,
        expires_in: TOKEN_SECONDS,
        token_type: "Bearer",
    };
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if new_session {
        response.insert_header((header::SET_COOKIE, session_cookie(&state, &company, link)));
    }
    Ok(response.json(token))
}

/// The session cookie of `link` for its company's journey. Lax, not
/// Strict: the browser comes back to the journey from the provider's site.
fn session_cookie(state: &AppState, company: &Company, link: Uuid) -> String {
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={}; Path=/link/company/{}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        session_value(state, link),
        company.id,
        SESSION_HOURS * 3600
    )
}
