//! Cross-origin requests from journey UIs. A preflight carries no
//! credentials, so it is allowed when any client allows its origin; the
//! request that follows is checked against its own client's origins by the
//! auth middleware, and only company-token responses carry CORS headers.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str = "authorization, content-type, idempotency-key";

fn origin_of(request: &ServiceRequest) -> Option<String> {
    request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
}

pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    let origin = origin_of(&request);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (true, Some(origin)) = (preflight, &origin) {
        let allowed = match request.app_data::<web::Data<AppState>>() {
            Some(state) => state
                .store
                .origin_allowed_by_any(origin)
                .await
                .map_err(ApiError::from),
            None => Err(ApiError::Internal("application state is missing".into())),
        };
        let response = match allowed {
            Ok(true) => HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
                .insert_header((header::VARY, "Origin"))
                .finish(),
            Ok(false) => {
                return Ok(request
                    .error_response(ApiError::new(
                        ErrorCode::OriginNotAllowed,
                        format!("The origin {origin} is not allowed."),
                    ))
                    .map_into_right_body())
            }
            Err(error) => return Ok(request.error_response(error).map_into_right_body()),
        };
        return Ok(request.into_response(response).map_into_right_body());
    }
    let mut response = next.call(request).await?;
    let company_caller = response
        .request()
        .extensions()
        .get::<Caller>()
        .is_some_and(|c| c.company.is_some());
    if let (true, Some(origin)) = (company_caller, origin) {
        if let Ok(value) = HeaderValue::from_str(&origin) {
            let headers = response.headers_mut();
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("x-correlation-id"),
            );
        }
    }
    Ok(response.map_into_left_body())
}
