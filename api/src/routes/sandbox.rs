//! The Sandbox provider's pages and endpoints, on the service's own origin.

use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use app::oauth::{Grant, RevokeRequest, TokenEndpoint, TokenError, TokenRequest};
use app::sandbox::CLIENT_ID;
use domain::customer_pages::{sandbox_words, Notice};
use domain::integration::ClientAuthMethod;
use serde::Deserialize;

use crate::customer_page;
use crate::error::{ApiError, ErrorCode};
use crate::html_page::cookie;
use crate::html_page::{escape_html, html_with_form_origins};
use crate::routes::link::callback_url;
use crate::state::AppState;

/// An authorization request, as the Link URL sends it.
#[derive(Debug, Deserialize)]
pub struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// How long the page's binding cookie lives: the state's own lifetime at most.
const BINDING_SECONDS: u32 = 600;

/// Whether a PKCE S256 challenge has its shape: 43 to 128 characters of the
/// URL-safe alphabet (RFC 7636).
fn is_challenge(challenge: &str) -> bool {
    (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The authorization waiting for `state`: a state Link API stored when the
/// customer opened the Link URL, not used and not expired, whose PKCE
/// challenge is `challenge`. Anything else gets no page and no code.
async fn pending(
    state: &AppState,
    state_value: &str,
    challenge: &str,
) -> Result<(String, domain::ports::OAuthState), ApiError> {
    let unknown = || {
        ApiError::new(ErrorCode::AuthorizationUnknown,
            "This Sandbox authorization is unknown, used or expired: start again from the Link URL.",
        )
    };
    let hash = app::oauth::state_hash(state_value);
    let saved = state
        .store
        .find_usable_oauth_state(&hash)
        .await?
        .ok_or_else(unknown)?;
    let verifier = app::secrets::open_verifier(&state.cipher, &saved, &hash)?;
    if app::oauth::pkce_challenge(&verifier) != challenge {
        return Err(unknown());
    }
    Ok((hash, saved))
}

/// Where the decision's redirects may end besides this service: the origins
/// of the client's redirect URL and of its allowed redirect URLs (the
/// callback sends the customer on there). Browsers hold the redirects after
/// a form to the page's `form-action`.
fn return_origins(profile: &domain::profile::Profile) -> Vec<String> {
    let mut origins: Vec<String> = std::iter::once(&profile.redirect_url)
        .chain(&profile.whitelist_urls)
        .filter_map(|url| app::web_origin::web_origin(url))
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// The value that binds the consent page to its decision: a tag of the
/// state's hash, sent both as a cookie (SameSite=Strict, so a cross-site
/// post carries none) and as a hidden field of the form.
const BINDING: &str = "link-api sandbox decision";

fn binding(state: &AppState, state_hash: &str) -> String {
    state.cipher.tag(BINDING, state_hash.as_bytes())
}

/// Whether `value` is the binding of `state_hash`.
fn binds(state: &AppState, state_hash: &str, value: Option<&str>) -> bool {
    value.is_some_and(|v| state.cipher.verify_tag(BINDING, state_hash.as_bytes(), v))
}

/// The binding cookie's name: one per authorization, so two tabs do not clash.
fn binding_cookie(state_hash: &str) -> String {
    format!("sandbox_{}", &state_hash[..16.min(state_hash.len())])
}

/// `GET /sandbox/oauth/authorize`: the consent page.
pub async fn authorize(
    state: web::Data<AppState>,
    params: web::Query<AuthorizeParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let language = customer_page::language_for(&request, None);
    let params = params.into_inner();
    let callback = callback_url(&state.public_url);
    let valid = params.response_type.as_deref() == Some("code")
        && params.client_id.as_deref() == Some(CLIENT_ID)
        && params.redirect_uri.as_deref() == Some(callback.as_str())
        && params.code_challenge_method.as_deref() == Some("S256")
        && params.code_challenge.as_deref().is_some_and(is_challenge)
        && params
            .state
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s.len() <= 256);
    let (Some(state_value), Some(challenge), true) = (params.state, params.code_challenge, valid)
    else {
        return Err(ApiError::new(ErrorCode::InvalidAuthorizationRequest,
            "Not a Sandbox authorization request: it needs response_type=code, the Sandbox client_id, this service's \
             callback as redirect_uri, a state, and a PKCE S256 code_challenge.",
        ));
    };
    let (state_hash, saved) = match pending(&state, &state_value, &challenge).await {
        Ok(found) => found,
        // Met again after its answer (Back from the journey, an old tab): a
        // page for the customer, not an error body.
        Err(ApiError::Refused(ErrorCode::AuthorizationUnknown, _)) => {
            return Ok(customer_page::notice(
                StatusCode::BAD_REQUEST,
                language,
                None,
                Notice::SandboxAnswered,
                "",
            ))
        }
        Err(other) => return Err(other),
    };
    // As a provider knows the application it authorizes for: the client.
    let profile = app::clients::profile(state.store.as_ref(), saved.client).await?;
    let [headline, question, approve, deny] = sandbox_words(language);
    let bound = binding(&state, &state_hash);
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape_html(value)
        )
    };
    let fields = [
        hidden("state", &state_value),
        hidden("code_challenge", &challenge),
        hidden("binding", &bound),
    ]
    .concat();
    let content = format!(
        "<main><header class=\"brand\">Sandbox</header><h1>{}</h1><p>{}</p>\
         <form method=\"post\" action=\"/sandbox/oauth/decision\">{fields}\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\">{}</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">{}</button></form></main>",
        escape_html(headline),
        escape_html(&question.replace("{client}", &profile.name)),
        escape_html(approve),
        escape_html(deny),
    );
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let mut page = html_with_form_origins(
        language,
        headline,
        customer_page::STYLE,
        &content,
        &return_origins(&profile),
    );
    page.headers_mut().append(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&format!(
            "{}={bound}; Path=/sandbox/oauth; Max-Age={BINDING_SECONDS}; HttpOnly; SameSite=Strict{secure}",
            binding_cookie(&state_hash)
        ))
        .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(page)
}

/// The customer's choice on the consent page.
#[derive(Debug, Deserialize)]
pub struct Decision {
    decision: String,
    state: String,
    code_challenge: String,
    binding: Option<String>,
}

/// Refuses a decision posted from another site. A browser says where a
/// form comes from in `Sec-Fetch-Site`; one that does not, in `Origin`
/// (which is `null` from pages that send no referrer, this one included, so
/// it counts only where `Sec-Fetch-Site` is missing).
fn same_origin(state: &AppState, request: &HttpRequest) -> Result<(), ApiError> {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let foreign = match (header("sec-fetch-site"), header("origin")) {
        (Some(site), _) => !matches!(site, "same-origin" | "none"),
        (None, Some(origin)) => !origin.eq_ignore_ascii_case(&state.own_origin()),
        (None, None) => false,
    };
    if foreign {
        return Err(ApiError::new(
            ErrorCode::ForeignPage,
            "A Sandbox decision is made on the Sandbox's own page, not posted from another site.",
        ));
    }
    Ok(())
}

/// `POST /sandbox/oauth/decision`: back to the callback with a code or
/// `access_denied`, for a pending authorization, from the page that showed it.
pub async fn decide(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Decision>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    same_origin(&state, &request)?;
    if !is_challenge(&form.code_challenge) {
        return Err(ApiError::new(
            ErrorCode::InvalidAuthorizationRequest,
            "code_challenge must be a PKCE S256 challenge: 43 to 128 URL-safe characters.",
        ));
    }
    let (state_hash, _) = pending(&state, &form.state, &form.code_challenge).await?;
    let cookie = cookie(&request, &binding_cookie(&state_hash));
    if !binds(&state, &state_hash, form.binding.as_deref()) || !binds(&state, &state_hash, cookie) {
        return Err(ApiError::new(
            ErrorCode::ForeignPage,
            "This decision does not come from the Sandbox page that showed the authorization: \
             open the page again from the Link URL.",
        ));
    }
    let callback = callback_url(&state.public_url);
    let encoded_state = domain::profile::percent_encode(&form.state);
    let location = match form.decision.as_str() {
        "approve" => {
            let code = state
                .sandbox
                .issue_code(&callback, &state_hash, &form.code_challenge)
                .await
                .map_err(|e| match e {
                    TokenError::InvalidGrant => ApiError::new(ErrorCode::AuthorizationDecided,
                        "A code was already issued for this authorization; start again from the Link URL.",
                    ),
                    other => ApiError::Unavailable(other.to_string()),
                })?;
            format!("{callback}?code={code}&state={encoded_state}")
        }
        "deny" => format!("{callback}?error=access_denied&state={encoded_state}"),
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidAuthorizationRequest,
                "decision must be approve or deny.",
            ))
        }
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// A token request, as OAuth clients send it.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /sandbox/oauth/token`, for OAuth clients other than Link API itself.
pub async fn token(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let (client_id, client_secret) =
        client_credentials(&request, form.client_id, form.client_secret);
    let grant = match (
        form.grant_type.as_str(),
        &form.code,
        &form.redirect_uri,
        &form.code_verifier,
        &form.refresh_token,
    ) {
        ("authorization_code", Some(code), Some(redirect_uri), Some(code_verifier), _) => {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            }
        }
        ("refresh_token", _, _, _, Some(refresh_token)) => Grant::RefreshToken { refresh_token },
        _ => return oauth_error(400, "invalid_request"),
    };
    let request = TokenRequest {
        token_url: "",
        client_auth: ClientAuthMethod::Post,
        client_id: &client_id,
        client_secret: &client_secret,
        grant,
    };
    match state.sandbox.request(request).await {
        Ok(tokens) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "expires_in": tokens.expires_in,
                "token_type": "Bearer",
            })),
        Err(TokenError::InvalidGrant) => oauth_error(400, "invalid_grant"),
        Err(TokenError::Refused(_)) => oauth_error(401, "invalid_client"),
        Err(_) => oauth_error(503, "temporarily_unavailable"),
    }
}

/// The OAuth client's id and secret: from HTTP Basic, else from the form.
fn client_credentials(
    request: &actix_web::HttpRequest,
    form_id: Option<String>,
    form_secret: Option<String>,
) -> (String, String) {
    let basic = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, v).ok())
        .and_then(|v| String::from_utf8(v).ok());
    match basic.as_deref().and_then(|b| b.split_once(':')) {
        Some((id, secret)) => (id.to_owned(), secret.to_owned()),
        None => (form_id.unwrap_or_default(), form_secret.unwrap_or_default()),
    }
}

/// A revocation request (RFC 7009).
#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    token: String,
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /sandbox/oauth/revoke`: revokes the grant behind a refresh token.
/// An unknown token is answered 200, as the RFC asks.
pub async fn revoke(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    form: web::Form<RevokeForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let (client_id, client_secret) =
        client_credentials(&request, form.client_id, form.client_secret);
    let revoke = RevokeRequest {
        revoke_url: "",
        client_auth: ClientAuthMethod::Post,
        client_id: &client_id,
        client_secret: &client_secret,
        token: &form.token,
        token_type_hint: match form.token_type_hint.as_deref() {
            Some("access_token") => "access_token",
            _ => "refresh_token",
        },
    };
    match state.sandbox.revoke(revoke).await {
        Ok(()) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(TokenError::Refused(_)) => oauth_error(401, "invalid_client"),
        Err(_) => oauth_error(503, "temporarily_unavailable"),
    }
}

fn oauth_error(status: u16, error: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({"error": error}))
}

/// Revoke a Sandbox grant
///
/// Makes the Sandbox provider revoke the grant behind a connection, as a real
/// platform might. The connection stays `Linked` until its next token refresh
/// is refused; then it becomes `Deauthorized`, and the customer can authorize
/// it again at the same Link URL.
#[utoipa::path(
    operation_id = "revoke-sandbox-grant",
    tag = "Sandbox",
    params(("companyId" = uuid::Uuid, Path, description = "The company's id."), ("connectionId" = uuid::Uuid, Path, description = "The connection's id.")),
    responses(
        (status = 204, description = "The grant is revoked."),
        (status = 409, response = crate::openapi::responses::Conflict),
        crate::openapi::responses::ItemErrors
    )
)]
#[post("/companies/{companyId}/connections/{connectionId}/sandbox/revoke")]
pub async fn revoke_grant(
    caller: crate::auth::Caller,
    state: web::Data<AppState>,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (company, id) = path.into_inner();
    let (company, id): (domain::ids::CompanyId, domain::ids::ConnectionId) =
        (company.into(), id.into());
    let connection =
        app::connections::load(state.store.as_ref(), caller.client, company, id).await?;
    if connection.platform_key.as_str() != app::sandbox::PLATFORM_KEY {
        return Err(ApiError::new(
            ErrorCode::NotASandboxConnection,
            "Only Sandbox connections have a Sandbox grant to revoke.",
        ));
    }
    let no_grant = || {
        ApiError::new(
            ErrorCode::NoSandboxGrant,
            "The connection holds no Sandbox grant: authorize it first.",
        )
    };
    let tokens = app::secrets::stored_tokens(state.store.as_ref(), &state.cipher, &connection)
        .await?
        .ok_or_else(no_grant)?;
    let refresh_token = tokens.refresh_token.as_deref().ok_or_else(no_grant)?;
    state
        .sandbox
        .revoke_grant(refresh_token)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::NoContent().finish())
}
