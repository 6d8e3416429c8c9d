//! Extractor settings that send every malformed input through [`ApiError`],
//! so bad JSON, a bad path id or a bad query string get the documented body.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|error, _| json_error(error).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|error: PathError, request| path_error(error, request).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _| {
        ApiError::BadRequest(format!("The query string is not valid: {error}")).into()
    })
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::PayloadTooLarge(
            format!("The request body is {length} bytes; the limit is {limit}."),
        ),
        JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge(format!(
            "The request body is larger than the limit of {limit} bytes."
        )),
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
            "Send the request body as JSON, with `Content-Type: application/json`.".into(),
        ),
        JsonPayloadError::Deserialize(error) => body_not_valid(&error),
        JsonPayloadError::Payload(error) if crate::limits::timed_out(&error) => {
            crate::limits::body_timed_out()
        }
        other => ApiError::BadRequest(format!("The request body could not be read: {other}")),
    }
}

fn body_not_valid(error: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!(
        "The request body is not valid JSON for this operation: {error}."
    ))
}

fn path_error(error: PathError, request: &HttpRequest) -> ApiError {
    let bad = request
        .match_info()
        .iter()
        .find(|(_, value)| uuid::Uuid::parse_str(value).is_err());
    match bad {
        Some((name, value)) => ApiError::BadRequest(format!(
            "`{value}` is not a valid {name}: expected a UUID such as 8a210b68-6988-11ed-a1eb-0242ac120002."
        )),
        None => ApiError::BadRequest(format!("A path parameter is not valid: {error}")),
    }
}

/// Parses a JSON body that may be left out entirely (then `T::default()`).
pub fn optional_json<T: DeserializeOwned + Default>(
    request: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    if !request.content_type().ends_with("json") {
        return Err(json_error(JsonPayloadError::ContentType));
    }
    serde_json::from_slice(body).map_err(|e| body_not_valid(&e))
}
