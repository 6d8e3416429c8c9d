//! Answers for requests no route takes: 404, or 405 with `Allow` when the
//! path exists with other methods. The route table comes from the OpenAPI
//! document, so it can never disagree with what is served.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::error::{ApiError, ErrorCode};
use crate::route_table::RouteTable;

/// The default service.
pub async fn fallback(request: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let (method, path) = (request.method().as_str(), request.path());
    let allowed = routes.allowed(path);
    let error = if allowed.is_empty() {
        ApiError::new(
            ErrorCode::RouteNotFound,
            format!("No route matches {method} {path}."),
        )
    } else {
        let list = allowed.join(", ");
        ApiError::MethodNotAllowed(
            format!("{method} is not allowed on {path}; allowed: {list}."),
            allowed,
        )
    };
    error.error_response()
}

/// Gives an error response that is not yet in the documented body (one
/// made by the framework itself) that body, keeping its status code.
pub fn ensure_error_body<B: MessageBody>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // An error answered as JSON already has the body; one answered as a page
    // (the journey's pages for a bad link) is meant for a person.
    let answered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
        });
    if answered {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, _) = response.into_parts();
    let error = ApiError::Status(status);
    let replaced: ServiceResponse<EitherBody<B>> =
        ServiceResponse::new(request, error.error_response()).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(replaced))
}
