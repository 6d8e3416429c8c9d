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
use domain::customer_pages::Notice;
use domain::ids::CompanyId;
use domain::journey_link::{LinkUse, SESSION_HOURS};
use serde::Deserialize;
use uuid::Uuid;

use crate::company_token::{Claims, HOSTED_PAGE};
use crate::customer_page::{self, Brand};
use crate::error::{ApiError, ErrorCode};
use crate::html_page::cookie;
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
        .filter(|link| link.session_open_for(company, Utc::now()))
        .map(|link| link.id))
}

/// The Link URL and journey parameter of the consent step: a ticket to the
/// step on the journey page, or `declined` back at the Link URL.
pub const CONSENT_PARAM: &str = "linkConsent";

/// How long the consent step's ticket lasts.
const CONSENT_TICKET_SECONDS: i64 = 3600;

/// What the consent step's ticket is made for.
const CONSENT_TICKET: &str = "link-api consent step";

/// The ticket's signed part: the company, the connection and its expiry.
fn consent_signed(company: CompanyId, connection: Uuid, expires: i64) -> Vec<u8> {
    let mut signed = company.as_uuid().as_bytes().to_vec();
    signed.extend_from_slice(connection.as_bytes());
    signed.extend_from_slice(&expires.to_be_bytes());
    signed
}

/// The address of the consent step for a Link URL opened without the
/// consent its connection needs (a flow built for Codat records none): the
/// company's journey page, which shows the category's consent and then goes
/// on to the Link URL. Its ticket (`connection.expiry.tag`) lets the page
/// open for an hour even where signed links are required, as the Link URL
/// itself is the customer's credential; the custom values go along.
pub fn consent_step_url(
    state: &AppState,
    company: CompanyId,
    connection: Uuid,
    custom: &BTreeMap<String, String>,
) -> String {
    let expires = Utc::now().timestamp() + CONSENT_TICKET_SECONDS;
    let tag = state.cipher.tag(
        CONSENT_TICKET,
        &consent_signed(company, connection, expires),
    );
    let mut query: Vec<(&str, String)> =
        vec![(CONSENT_PARAM, format!("{connection}.{expires}.{tag}"))];
    query.extend(
        custom
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone())),
    );
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    format!("{}/link/company/{company}?{query}", state.public_url)
}

/// Whether `ticket` is an unexpired consent-step ticket of `company`.
fn consent_ticket_holds(state: &AppState, company: CompanyId, ticket: &str) -> bool {
    let mut parts = ticket.splitn(3, '.');
    let (Some(connection), Some(expires), Some(tag)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(connection), Ok(expires)) = (Uuid::parse_str(connection), expires.parse::<i64>())
    else {
        return false;
    };
    expires > Utc::now().timestamp()
        && state.cipher.verify_tag(
            CONSENT_TICKET,
            &consent_signed(company, connection, expires),
            tag,
        )
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
/// client allows it, this browser holds a session, or it carries a consent
/// step's ticket). Gives how to serve
/// the page, or the page to answer instead.
pub async fn admit(
    state: &AppState,
    request: &HttpRequest,
    company: &Company,
) -> Result<Result<Entry, HttpResponse>, ApiError> {
    let query = web::Query::<BTreeMap<String, String>>::from_query(request.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let session = session_of(state, request, company.id).await?;
    let Some(token) = query.get("link") else {
        let settings =
            crate::client_settings::link_settings(state.store.as_ref(), company.client_id).await?;
        let consent_step = query
            .get(CONSENT_PARAM)
            .is_some_and(|ticket| consent_ticket_holds(state, company.id, ticket));
        if !settings.hosted.require_signed_links || session.is_some() || consent_step {
            return Ok(Ok(Entry::Token { link: session }));
        }
        return refused(
            state,
            request,
            company,
            StatusCode::FORBIDDEN,
            Notice::OpenYourLink,
        )
        .await;
    };
    let found = state
        .store
        .peek_journey_link(&app::oauth::state_hash(token))
        .await?
        .filter(|link| link.company_id == company.id);
    let (status, notice) = match found {
        Some(link) if session == Some(link.id) => return Ok(Ok(Entry::Token { link: session })),
        Some(link) if link.unopened(Utc::now()) => return Ok(Ok(Entry::Unopened)),
        Some(link) if link.revoked_at.is_none() && link.used_at.is_some() => {
            (StatusCode::CONFLICT, Notice::LinkUsed)
        }
        Some(_) => (StatusCode::GONE, Notice::LinkEnded),
        None => (StatusCode::NOT_FOUND, Notice::LinkUnknown),
    };
    refused(state, request, company, status, notice).await
}

/// The page of a journey URL that does not open the journey, in the
/// customer's language and in the client's name.
async fn refused(
    state: &AppState,
    request: &HttpRequest,
    company: &Company,
    status: StatusCode,
    notice: Notice,
) -> Result<Result<Entry, HttpResponse>, ApiError> {
    let brand = Brand::of(state, company.client_id).await?;
    let language = customer_page::language_for(request, None);
    Ok(Err(customer_page::notice(
        status,
        language,
        Some(&brand),
        notice,
        "",
    )))
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
        return Err(ApiError::new(
            ErrorCode::ForeignPage,
            "Only the journey's own page opens its links.",
        ));
    }
    let company = match crate::customer_page::known_company(&state, &company, &request).await? {
        Ok(company) => company,
        Err(_) => {
            return Err(ApiError::new(
                ErrorCode::JourneyLinkNotFound,
                format!("{}. {}", UNKNOWN.0, UNKNOWN.1),
            ))
        }
    };
    let session = session_of(&state, &request, company.id).await?;
    let used = state
        .store
        .use_journey_link(company.id, &app::oauth::state_hash(&body.link), Utc::now())
        .await?;
    let refusal = |(headline, text): (&str, &str)| format!("{headline}. {text}");
    let (link, new_session) = match used {
        LinkUse::Opened(link) if link.company_id == company.id => (link.id, true),
        LinkUse::AlreadyUsed(link) if session == Some(link.id) => (link.id, false),
        LinkUse::AlreadyUsed(link) if link.company_id == company.id => {
            return Err(ApiError::new(ErrorCode::JourneyLinkUsed, refusal(USED)))
        }
        LinkUse::Ended(link) if link.company_id == company.id => {
            return Err(ApiError::new(ErrorCode::JourneyLinkEnded, refusal(ENDED)))
        }
        _ => {
            return Err(ApiError::new(
                ErrorCode::JourneyLinkNotFound,
                refusal(UNKNOWN),
            ))
        }
    };
    let token = journey_access_token(&state, &company, Some(link))?;
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

/// How long the hosted page's company token lives; the page asks for a new
/// one each time it opens (the OAuth hand-off reopens it).
pub const TOKEN_SECONDS: i64 = 3600;

/// The company token the journey's own pages get: an hour, for that
/// company, naming the signed link it was opened from (none for the bare id).
pub fn journey_token_for(
    state: &AppState,
    company: &domain::company::Company,
    link: Option<Uuid>,
) -> Result<String, ApiError> {
    let claims = Claims {
        exp: Utc::now().timestamp() + TOKEN_SECONDS,
        via: Some(HOSTED_PAGE.into()),
        lnk: link,
        ..Claims::new(company.client_id, company.id)
    };
    state
        .company_tokens
        .sign(&claims)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// [`journey_token_for`] as the body that answers it, in Codat's token shape.
pub fn journey_access_token(
    state: &AppState,
    company: &domain::company::Company,
    link: Option<Uuid>,
) -> Result<crate::routes::access_token::CompanyAccessToken, ApiError> {
    Ok(crate::routes::access_token::CompanyAccessToken {
        access_token: journey_token_for(state, company, link)?,
        expires_in: TOKEN_SECONDS,
        token_type: "Bearer",
    })
}
