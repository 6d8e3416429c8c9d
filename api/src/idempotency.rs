//! `Idempotency-Key`: a POST (or `PUT …/authorization`) sent again with the
//! same key and body gets the first response without the work being done
//! twice. Keys are kept 24 hours, per client and principal: the client's API
//! keys share theirs, each company token has its own, so a stored answer is
//! only ever replayed to a caller who was allowed to get it.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::{Duration, SubsecRound, Utc};
use domain::ports::{IdempotencyClaim, IdempotencyKey, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// How long a key is remembered.
const KEPT_HOURS: i64 = 24;
/// A first request that has not finished after this long is taken to have died.
const ABANDONED_AFTER_SECS: i64 = 300;

/// Whether the operation of this method and path template honours `Idempotency-Key`.
pub fn applies(method: &Method, path: &str) -> bool {
    *method == Method::POST || (*method == Method::PUT && path.ends_with("/authorization"))
}

/// Whether a request goes to an operation that honours `Idempotency-Key`:
/// one the API documents, so a method a path does not take still gets its 405.
fn honoured(method: &Method, path: &str) -> bool {
    static OPERATIONS: std::sync::OnceLock<Vec<(Method, actix_web::dev::ResourceDef)>> =
        std::sync::OnceLock::new();
    let operations = OPERATIONS.get_or_init(|| {
        let document = crate::openapi::document();
        let mut operations = Vec::new();
        for (template, item) in &document.paths.paths {
            for (method, present) in [
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
            ] {
                if present && applies(&method, template) {
                    operations.push((method, actix_web::dev::ResourceDef::new(template.as_str())));
                }
            }
        }
        operations
    });
    operations
        .iter()
        .any(|(m, route)| m == method && route.is_match(path))
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn error(request: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    request.error_response(error).map_into_boxed_body()
}

pub async fn middleware(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = request
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_owned));
    let caller = request.extensions().get::<Caller>().copied();
    let (Some(key), Some(caller), true) = (key, caller, honoured(request.method(), request.path()))
    else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let Some(key) = key.ok().filter(|k| valid_key(k)) else {
        return Ok(error(
            request,
            ApiError::new(
                ErrorCode::InvalidIdempotencyKey,
                format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters."),
            ),
        ));
    };
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(error(
            request,
            ApiError::Internal("application state is missing".into()),
        ));
    };
    let body = match request.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(e) => return Ok(request.error_response(e).map_into_boxed_body()),
    };
    let mut hasher = Sha256::new();
    hasher.update(request.method().as_str());
    hasher.update(b"\n");
    hasher.update(request.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let request_hash = hex::encode(hasher.finalize());
    let now = Utc::now().trunc_subsecs(6);
    let principal = caller.principal();
    let stored_key = IdempotencyKey {
        client: caller.client,
        principal: &principal,
        key: &key,
    };
    let claim = state
        .store
        .claim_idempotency_key(
            stored_key,
            &request_hash,
            now,
            now + Duration::hours(KEPT_HOURS),
            now - Duration::seconds(ABANDONED_AFTER_SECS),
        )
        .await;
    match claim {
        Err(e) => Ok(error(request, e.into())),
        Ok(IdempotencyClaim::Mismatch) => Ok(error(
            request,
            ApiError::new(ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was used with a different request; use a new key for a new request."
                    ,
            ),
        )),
        Ok(IdempotencyClaim::InProgress) => Ok(error(
            request,
            ApiError::new(ErrorCode::IdempotencyKeyInProgress,
                "A request with this Idempotency-Key is still being handled; send it again shortly."
                    ,
            ),
        )),
        Ok(IdempotencyClaim::Done(stored)) => {
            let mut response = HttpResponse::build(
                StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
            );
            if let Some(content_type) = &stored.content_type {
                response.insert_header((header::CONTENT_TYPE, content_type.as_str()));
            }
            response.insert_header(("idempotent-replayed", "true"));
            Ok(request.into_response(response.body(stored.body)))
        }
        Ok(IdempotencyClaim::Fresh) => {
            request.set_payload(crate::limits::payload_of(body));
            let response = next.call(request).await?;
            let (request, response) = response.into_parts();
            let (head, body) = response.into_parts();
            let bytes = to_bytes(body).await.map_err(|e| {
                actix_web::error::ErrorInternalServerError(format!("response body: {}", e.into()))
            })?;
            let status = head.status();
            let kept = if status.is_server_error() {
                state.store.release_idempotency_key(stored_key).await
            } else {
                let stored = StoredResponse {
                    status: status.as_u16(),
                    content_type: head
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: bytes.to_vec(),
                };
                state
                    .store
                    .complete_idempotency_key(stored_key, &stored)
                    .await
            };
            if let Err(e) = kept {
                tracing::warn!(error = %e, "an idempotency key's response was not kept");
            }
            Ok(ServiceResponse::new(request, head.set_body(BoxBody::new(bytes))))
        }
    }
}
