//! The journey's front-end, built from `web/` into `web/dist/` (committed)
//! and embedded here, so the binary serves it with no Node.js and no other
//! origin: the hosted page's script and style sheet, the provider popup's
//! last page, and the embeddable component.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use base64::Engine;
use sha2::Digest;

use crate::error::{ApiError, ErrorCode};

const HOSTED_SCRIPT: &[u8] = include_bytes!("../../../web/dist/hosted.js");
const HOSTED_STYLE: &[u8] = include_bytes!("../../../web/dist/hosted.css");
const POPUP_SCRIPT: &[u8] = include_bytes!("../../../web/dist/popup.js");
/// The component, one ES module with its styles inside.
pub const SDK: &[u8] = include_bytes!("../../../web/dist/sdk.js");

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const FOR_GOOD: &str = "public, max-age=31536000, immutable";

/// A short fingerprint of some files, so their URLs change with them and can be cached for good.
fn fingerprint(files: &[&[u8]]) -> String {
    let digest = files
        .iter()
        .fold(sha2::Sha256::new(), |hash, file| hash.chain_update(file))
        .finalize();
    hex::encode(&digest[..6])
}

/// The version in the URLs of the hosted page's files.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| fingerprint(&[HOSTED_SCRIPT, HOSTED_STYLE, POPUP_SCRIPT]))
}

/// The component's version: its pinned URL is `/link/sdk/{version}.js`.
pub fn sdk_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| fingerprint(&[SDK]))
}

/// The component's Subresource Integrity value (`sha384-…`).
pub fn sdk_integrity() -> String {
    let digest = sha2::Sha384::digest(SDK);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `GET /link/assets/{file}`: the hosted page's script and style sheet, and the popup's script.
pub async fn asset(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (body, content_type) = match file.as_str() {
        "hosted.js" => (HOSTED_SCRIPT, JAVASCRIPT),
        "hosted.css" => (HOSTED_STYLE, "text/css; charset=utf-8"),
        "popup.js" => (POPUP_SCRIPT, JAVASCRIPT),
        other => {
            return Err(ApiError::new(
                ErrorCode::AssetNotFound,
                format!("No asset {other}."),
            ))
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, FOR_GOOD))
        .insert_header(("x-bundle-version", version()))
        .body(body))
}

/// The component as any origin may load it: a module script is fetched with
/// CORS, and the integrity check needs it too.
fn sdk_response(cache: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JAVASCRIPT)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header(("cross-origin-resource-policy", "cross-origin"))
        .insert_header(("x-sdk-version", sdk_version()))
        .insert_header(("x-sdk-integrity", sdk_integrity()))
        .body(SDK)
}

/// `GET /link/sdk.js`: the component this server ships, always its newest
/// (cached for five minutes).
pub async fn sdk() -> HttpResponse {
    sdk_response("public, max-age=300")
}

/// `GET /link/sdk/{version}.js`: the component pinned to a version, cached
/// for good; another version than this server's is a 404.
pub async fn pinned_sdk(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match file.strip_suffix(".js") {
        Some(version) if version == sdk_version() => Ok(sdk_response(FOR_GOOD)),
        _ => Err(ApiError::new(
            ErrorCode::AssetNotFound,
            format!(
                "This server ships the component at /link/sdk/{}.js, not /link/sdk/{file}.",
                sdk_version()
            ),
        )),
    }
}
