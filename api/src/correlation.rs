//! One correlation id per request: in the error body, in the
//! `X-Correlation-Id` response header, and in that request's log line.

use std::future::Future;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

tokio::task_local! {
    static CORRELATION_ID: String;
}

/// The response header that carries the id.
pub const HEADER: &str = "x-correlation-id";

/// The current request's correlation id, or a fresh one outside a request.
pub fn current() -> String {
    in_request().unwrap_or_else(new_id)
}

/// The current request's correlation id; `None` outside a request (a
/// background task).
pub fn in_request() -> Option<String> {
    CORRELATION_ID.try_with(Clone::clone).ok()
}

/// 32 lower-case hex digits, like the ids in the wire contract's examples.
fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Runs `future` with a correlation id in scope.
pub fn scope<F: Future>(id: String, future: F) -> impl Future<Output = F::Output> {
    CORRELATION_ID.scope(id, future)
}

/// Middleware: gives the request an id, runs it in a span carrying the id,
/// and logs one line when it completes. Bodies and headers are never logged.
/// Inner middleware answer errors with responses rather than `Err`, so that
/// the body is built inside the scope and carries the same id.
pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let id = new_id();
    let started = Instant::now();
    let span = tracing::info_span!("request", correlation_id = %id, method = %request.method(), path = %request.path());
    let result = scope(id.clone(), next.call(request))
        .instrument(span.clone())
        .await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    let mut response =
        result.inspect_err(|error| tracing::warn!(?error, elapsed_ms, "request failed"))?;
    tracing::info!(
        status = response.status().as_u16(),
        elapsed_ms,
        "request completed"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}
