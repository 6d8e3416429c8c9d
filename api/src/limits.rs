//! Limits on what a request may be: the length of its query string, the
//! number and size of its headers, and how long its body may take to arrive.
//! how deeply a JSON body may nest. Each answers with its status and the
//! error body. (Request bodies larger than `LINK_MAX_BODY_BYTES` get 413
//! from the extractors.)

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use futures_util::StreamExt;

use crate::error::{ApiError, ErrorCode};

/// The longest query string accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 4096;
/// The most headers a request may carry.
pub const MAX_HEADERS: usize = 64;
/// The most bytes all headers together may hold.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The deepest a JSON body may nest arrays and objects.
pub const MAX_JSON_DEPTH: usize = 32;

/// How long a request body may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

fn refuse(request: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    request.error_response(error).map_into_boxed_body()
}

/// The payload, ending with a timeout error if it is not all there by the deadline.
fn with_deadline(payload: Payload, timeout: Duration) -> Payload {
    let deadline = tokio::time::Instant::now() + timeout;
    let stream = futures_util::stream::unfold(Some(payload), move |payload| async move {
        let mut payload = payload?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((
                Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                ))),
                None,
            )),
        }
    });
    Payload::Stream {
        payload: Box::pin(stream),
    }
}

pub async fn middleware(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if request.query_string().len() > MAX_QUERY_BYTES {
        return Ok(refuse(
            request,
            ApiError::new(
                ErrorCode::QueryStringTooLong,
                format!("The query string is longer than {MAX_QUERY_BYTES} bytes."),
            ),
        ));
    }
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return Ok(refuse(
            request,
            ApiError::new(
                ErrorCode::HeadersTooLarge,
                format!(
                    "A request carries at most {MAX_HEADERS} headers of {MAX_HEADER_BYTES} bytes in all."
                ),
            ),
        ));
    }
    if let Some(refused) = undeclared_body(&request) {
        return Ok(refuse(request, refused));
    }
    let timeout = request
        .app_data::<web::Data<BodyTimeout>>()
        .map(|t| t.get_ref().0);
    if let Some(timeout) = timeout {
        let payload = request.take_payload();
        request.set_payload(with_deadline(payload, timeout));
    }
    if crate::extract::declares_json(&request) {
        let body = match request.extract::<web::Bytes>().await {
            Ok(body) => body,
            Err(e)
                if e.as_error::<PayloadError>()
                    .is_some_and(crate::extract::timed_out) =>
            {
                return Ok(refuse(request, crate::extract::body_timed_out()))
            }
            Err(e) => return Ok(request.error_response(e).map_into_boxed_body()),
        };
        if json_depth(&body) > MAX_JSON_DEPTH {
            return Ok(refuse(
                request,
                ApiError::new(
                    ErrorCode::BodyTooDeep,
                    format!(
                    "The request body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels."
                ),
                ),
            ));
        }
        request.set_payload(payload_of(body));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

/// A write to the API (POST, PUT, PATCH, DELETE of a documented operation)
/// must send JSON or nothing. A form or text body, or a body with no content
/// type, is refused with 415 even where the operation would ignore it: that
/// is what an HTML form on another site can send, and no client of this API
/// needs to. (The Sandbox's OAuth endpoints, which take forms, are not
/// documented operations.)
fn undeclared_body(request: &ServiceRequest) -> Option<ApiError> {
    use actix_web::http::{header, Method};
    let method = request.method();
    if !matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return None;
    }
    let headers = request.headers();
    let declared = headers.contains_key(header::CONTENT_TYPE);
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|length| length.trim() != "0");
    if (!declared && !has_body) || crate::extract::declares_json(request) {
        return None;
    }
    let documented = request
        .app_data::<web::Data<crate::route_table::RouteTable>>()
        .is_some_and(|routes| routes.documents(method.as_str(), request.path()));
    documented.then(|| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send a request body as JSON, with `Content-Type: application/json`, or send none.",
        )
    })
}

/// An empty payload with `bytes` in it, to hand a body on after reading it.
pub fn payload_of(bytes: web::Bytes) -> Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    payload.into()
}

/// How deeply a JSON text nests arrays and objects (brackets inside strings do not count).
fn json_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in text {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(json_depth(br#"{"a": [1, {"b": "[[[[{{"}]}"#), 3);
        assert_eq!(json_depth(br#"{"a": "\"[["}"#), 1);
        assert_eq!(json_depth(b"[]"), 1);
        assert_eq!(json_depth(b"42"), 0);
    }
}
