//! API keys: making them, hashing them, and checking them on each request.

use std::future::{ready, Ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use base64::Engine;
use domain::connection::Actor;
use domain::ids::{ClientId, CompanyId};
use domain::link_settings::CategorySet;
use domain::ports::{KeyHash, RepoError};
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::company_token::{CompanyScope, TokenSource};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Length of generated keys: 40 letters and digits, about 238 bits.
const KEY_LEN: usize = 40;

/// A fresh random API key.
pub fn generate_key() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), KEY_LEN)
}

/// The stored form of a key. Keys are long and random, so a fast hash is
/// enough: there is nothing to guess, only to look up.
pub fn hash_key(key: &str) -> KeyHash {
    KeyHash(hex::encode(Sha256::digest(key.as_bytes())))
}

/// Reads the key from `Authorization: Basic base64(key)` (as Codat's SDKs
/// send it; `key:` with an empty password also works) or `Bearer key`.
fn key_from_header(value: &str) -> Option<String> {
    let (scheme, credentials) = value.trim().split_once(' ')?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(credentials.to_owned()).filter(|k| !k.is_empty());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let key = text.strip_suffix(':').unwrap_or(&text).trim();
    Some(key.to_owned()).filter(|k| !k.is_empty())
}

/// Paths anyone may call: health, the spec, the docs page, static images, the
/// customer's journey pages (opened in a browser, without an API key), and
/// the exchange of an invitation (its token is the credential).
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/openapi.json" | "/openapi.yaml" | "/docs" | "/favicon.ico"
    ) || path.starts_with("/docs/")
        || path.starts_with("/assets/")
        || path.starts_with("/link/")
        || path.starts_with("/sandbox/oauth/")
        || path == "/invitations/exchange"
}

/// Middleware: every non-public request must carry a known API key. The
/// caller's client is then available to handlers as [`Caller`].
pub async fn require_api_key(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    if !is_public(request.path()) {
        match authenticate(&request).await {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
            }
            Err(error) => return Ok(request.error_response(error).map_into_right_body()),
        }
    }
    next.call(request)
        .await
        .map(ServiceResponse::map_into_left_body)
}

async fn authenticate(request: &ServiceRequest) -> Result<Caller, ApiError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state is missing".into()))?;
    let credential = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(key_from_header)
        .ok_or(ApiError::Unauthorized(
            ErrorCode::MissingCredentials,
            "missing or malformed Authorization header",
        ))?;
    if credential.matches('.').count() == 2 {
        let scope = state
            .company_tokens
            .verify(&credential)
            .ok_or(ApiError::Unauthorized(
                ErrorCode::InvalidCompanyToken,
                "invalid, expired or foreign company token",
            ))?;
        allow_company_route(request.method().as_str(), request.path(), &scope)?;
        check_origin(state, scope.client, request.request()).await?;
        check_token_source(state, &scope).await?;
        return Ok(Caller {
            client: scope.client,
            actor: Actor::Customer,
            company: Some(scope.company),
            categories: scope.categories,
            token: Some(TokenGrant {
                id: scope.token_id,
                expires_at: scope.expires_at,
                source: scope.source,
            }),
        });
    }
    let found = state
        .store
        .find_api_key(&hash_key(&credential))
        .await?
        .ok_or(ApiError::Unauthorized(
            ErrorCode::UnknownApiKey,
            "unknown API key",
        ))?;
    Ok(Caller {
        client: found.client_id,
        actor: Actor::Client(found.id),
        company: None,
        categories: None,
        token: None,
    })
}

/// A company token lives only as long as what it came from: the invitation
/// it was made from (until revoked or expired), the signed link the hosted
/// journey was opened from (until revoked, or its session ends), or the API
/// key that issued it (until deleted). Each is read from the store on every
/// request, so an end is seen at once by every replica. The bare company
/// id's token lives its hour.
async fn check_token_source(state: &AppState, scope: &CompanyScope) -> Result<(), ApiError> {
    let now = chrono::Utc::now();
    match scope.source {
        TokenSource::Invitation(invitation) => {
            let usable = match state.store.get_invitation(scope.client, invitation).await {
                Ok(found) => found.usable(now),
                Err(RepoError::NotFound) => false,
                Err(other) => return Err(other.into()),
            };
            usable.then_some(()).ok_or(ApiError::Unauthorized(
                ErrorCode::CredentialEnded,
                "the invitation this token came from was revoked or has expired",
            ))
        }
        TokenSource::SignedLink(link) => {
            let open = state
                .store
                .find_journey_link(link)
                .await?
                .is_some_and(|l| l.session_open_for(scope.company, now));
            open.then_some(()).ok_or(ApiError::Unauthorized(
                ErrorCode::CredentialEnded,
                "the journey link this token came from was revoked or its session has ended",
            ))
        }
        TokenSource::CompanyId => Ok(()),
        TokenSource::ApiKey(issuer) => {
            let keys = state.store.list_api_keys(scope.client).await?;
            if keys.iter().any(|key| key.id.as_uuid() == issuer) {
                Ok(())
            } else {
                Err(ApiError::Unauthorized(
                    ErrorCode::CredentialEnded,
                    "the API key that issued this company token was deleted",
                ))
            }
        }
    }
}

/// Who may call an operation with a company token, by where the token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opens {
    /// Starting and continuing the journey: any company token, the bare company id's too.
    Journey,
    /// The customer's data and undoing what was shared: a token with a proof of
    /// who holds it (the client's back end, a signed link, an invitation).
    Customer,
    /// The company's own settings (reminders, invitations): the client's back
    /// end or a signed link, not an invitee.
    Owner,
}

/// What a journey UI in the browser may call with a company token, and with
/// which tokens. Deleting a connection is the journey's (a company token may
/// abandon only a `PendingAuth` one); unlinking one is the customer's.
const COMPANY_ROUTES: &[(&str, &str, Opens)] = &[
    ("GET", "/integrations", Opens::Journey),
    ("GET", "/integrations/{platformKey}", Opens::Journey),
    (
        "GET",
        "/integrations/{platformKey}/branding",
        Opens::Journey,
    ),
    ("GET", "/linkSettings", Opens::Journey),
    ("GET", "/linkSettings/versions/{version}", Opens::Journey),
    ("GET", "/profile", Opens::Journey),
    ("GET", "/companies/{companyId}/consents", Opens::Customer),
    ("POST", "/companies/{companyId}/consents", Opens::Journey),
    (
        "POST",
        "/companies/{companyId}/consents/{consentId}/withdraw",
        Opens::Customer,
    ),
    ("GET", "/companies/{companyId}/linkStatus", Opens::Journey),
    ("GET", "/companies/{companyId}/reminders", Opens::Owner),
    ("PUT", "/companies/{companyId}/reminders", Opens::Owner),
    ("GET", "/companies/{companyId}/invitations", Opens::Owner),
    ("POST", "/companies/{companyId}/invitations", Opens::Journey),
    (
        "DELETE",
        "/companies/{companyId}/invitations/{invitationId}",
        Opens::Owner,
    ),
    ("GET", "/companies/{companyId}/connections", Opens::Journey),
    ("POST", "/companies/{companyId}/connections", Opens::Journey),
    (
        "GET",
        "/companies/{companyId}/connections/{connectionId}",
        Opens::Journey,
    ),
    (
        "PATCH",
        "/companies/{companyId}/connections/{connectionId}",
        Opens::Customer,
    ),
    (
        "DELETE",
        "/companies/{companyId}/connections/{connectionId}",
        Opens::Journey,
    ),
    (
        "PUT",
        "/companies/{companyId}/connections/{connectionId}/authorization",
        Opens::Journey,
    ),
];

/// Whether a token from `source` may call an operation that `opens` says.
fn source_may(source: TokenSource, opens: Opens) -> bool {
    match opens {
        Opens::Journey => true,
        Opens::Customer => source.proves_customer(),
        Opens::Owner => source.owns_company(),
    }
}

/// The 403 of a token whose source does not open an operation.
fn source_refusal(source: TokenSource, method: &str, path: &str) -> ApiError {
    ApiError::new(
        ErrorCode::TokenNotAllowed,
        match source {
            TokenSource::Invitation(_) => format!(
            "A token made from an invitation cannot call {method} {path}: it is the company's own."
        ),
            _ => format!(
            "{method} {path} needs proof that the caller is the customer, which a company id alone \
             is not: open the journey from a signed link (POST /companies/{{companyId}}/links), or \
             use the accessToken your back end gets from GET /companies/{{companyId}}/accessToken."
        ),
        },
    )
}

/// Checks a company token's request: another company answers 404 (as if
/// it did not exist), an endpoint the token's source does not open 403,
/// and any other endpoint 403.
fn allow_company_route(method: &str, path: &str, scope: &CompanyScope) -> Result<(), ApiError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for (allowed_method, pattern, opens) in COMPANY_ROUTES {
        let parts: Vec<&str> = pattern.split('/').collect();
        if parts.len() != segments.len() || method != *allowed_method {
            continue;
        }
        let mut named_company = None;
        let fits = parts
            .iter()
            .zip(&segments)
            .all(|(part, segment)| match *part {
                "{companyId}" => {
                    named_company = Some(*segment);
                    true
                }
                p if p.starts_with('{') => !segment.is_empty(),
                p => p == *segment,
            });
        if !fits {
            continue;
        }
        return match named_company {
            Some(named) if named != scope.company.to_string() => Err(ApiError::new(
                ErrorCode::CompanyNotFound,
                format!("No company was found with ID {named}"),
            )),
            _ if !source_may(scope.source, *opens) => {
                Err(source_refusal(scope.source, method, path))
            }
            _ => Ok(()),
        };
    }
    Err(ApiError::new(
        ErrorCode::TokenNotAllowed,
        format!("A company access token cannot call {method} {path}; use an API key."),
    ))
}

/// A browser call (one with an `Origin`) for a client is refused with 403
/// unless the client's CORS settings allow that origin, or it comes from the
/// service's own origin (the hosted journey page).
pub async fn check_origin(
    state: &AppState,
    client: ClientId,
    request: &HttpRequest,
) -> Result<(), ApiError> {
    let Some(origin) = request
        .headers()
        .get(actix_web::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let origin = origin.to_ascii_lowercase();
    if origin_allowed(state, client, &origin).await? {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::OriginNotAllowed,
            format!(
                "The origin {origin} is not in this client's CORS settings (POST /corsSettings)."
            ),
        ))
    }
}

/// Whether a browser page on `origin` (lower case) may act for `client`:
/// the service's own origin, or one of the client's CORS settings.
pub async fn origin_allowed(
    state: &AppState,
    client: ClientId,
    origin: &str,
) -> Result<bool, RepoError> {
    app::web_origin::allowed(state.store.as_ref(), &state.own_origin(), client, origin).await
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub client: ClientId,
    /// Who the changes of this request are recorded as: the client's API key, or the customer.
    pub actor: Actor,
    /// The one company a company token is limited to; `None` with an API key.
    pub company: Option<CompanyId>,
    /// The categories a token made from an invitation is limited to; `None` for all.
    pub categories: Option<CategorySet>,
    /// The company token the caller sent; `None` with an API key.
    pub token: Option<TokenGrant>,
}

/// What a request's company token is.
#[derive(Debug, Clone, Copy)]
pub struct TokenGrant {
    pub id: Uuid,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub source: TokenSource,
}

impl Caller {
    /// The invitation the caller's token was made from.
    pub fn invitation(&self) -> Option<Uuid> {
        match self.token?.source {
            TokenSource::Invitation(id) => Some(id),
            _ => None,
        }
    }

    /// Whether the caller is the client's back end, or showed it is the
    /// customer (or someone invited): anything but a bare company id's token.
    pub fn proves_customer(&self) -> bool {
        self.token
            .is_none_or(|token| token.source.proves_customer())
    }

    /// Whether the caller may see and manage the company's own settings and
    /// people (reminders, invitations): an API key, or a company token from
    /// the client's back end or a signed link.
    pub fn owns_company(&self) -> bool {
        self.token.is_none_or(|token| token.source.owns_company())
    }

    /// The API key the caller used; `None` with a company token.
    pub fn api_key(&self) -> Option<Uuid> {
        match self.actor {
            Actor::Client(key) => Some(key.as_uuid()),
            _ => None,
        }
    }

    /// Who answers for a request, as far as stored idempotent responses go:
    /// every API key of a client has the same powers, so they share one
    /// principal; each company token is a principal of its own, so a
    /// response is never replayed to a caller who could not have made it.
    pub fn principal(&self) -> String {
        match self.token {
            Some(token) => format!("token:{}", token.id),
            None => "client".to_owned(),
        }
    }

    /// Whether the caller may act on data of `category` (`None`: a platform of no category).
    pub fn may_use(&self, category: Option<&str>) -> bool {
        match self.categories {
            None => true,
            Some(allowed) => category.is_some_and(|c| allowed.contains(c)),
        }
    }

    /// A 403 unless the caller may act on data of `category`.
    pub fn require_category(&self, category: Option<&str>) -> Result<(), ApiError> {
        Ok(app::error::check_covered(self.categories, category)?)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<Caller>()
                .copied()
                .ok_or(ApiError::Unauthorized(
                    ErrorCode::MissingCredentials,
                    "no authenticated caller",
                )),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(text: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    }

    #[test]
    fn keys_are_read_from_every_accepted_form() {
        let upper_scheme = basic("k3y").replacen("Basic", "BASIC", 1);
        for header in [
            basic("k3y"),
            basic("k3y:"),
            upper_scheme,
            "Bearer k3y".into(),
            "bearer  k3y ".into(),
        ] {
            assert_eq!(key_from_header(&header).as_deref(), Some("k3y"), "{header}");
        }
    }

    #[test]
    fn other_forms_are_refused() {
        for header in ["k3y", "Token k3y", "Basic !!!", "Bearer ", "Basic "] {
            assert_eq!(key_from_header(header), None, "{header}");
        }
    }

    #[test]
    fn generated_keys_are_long_unique_and_alphanumeric() {
        let (a, b) = (generate_key(), generate_key());

        assert_eq!(a.len(), KEY_LEN);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert_ne!(hash_key(&a), hash_key(&b));
    }
}
