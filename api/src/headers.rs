//! Headers every answer carries: `X-Content-Type-Options: nosniff`, and
//! `Cache-Control: no-store` unless the handler chose its caching (API
//! answers can carry keys, tokens and secrets, and none is meant to be kept).
//! The interactive docs page gets a Content-Security-Policy and framing rules
//! of its own, as every HTML page of the service does.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// What the docs page may load: its own scripts, styles and the spec, from
/// this origin only (Swagger UI draws some icons as `data:` images, and its
/// bundle adds one style element of its own, allowed by its hash).
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Whether a path serves the interactive docs or the document itself, whose
/// files may be cached.
fn is_docs(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/") || path.starts_with("/openapi.")
}

pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = is_docs(request.path());
    let mut response = next.call(request).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if docs {
        for (name, value) in [
            (header::CONTENT_SECURITY_POLICY, DOCS_POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
    } else if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
