//! What the service answers a browser outside the API: its own small HTML
//! pages (no script unless asked, one style sheet allowed by its hash, never
//! framed or cached) and redirects that carry no referrer.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// A redirect that is not cached and sends no referrer.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// An HTML page with `title`, its one style sheet `style` (fixed text of
/// the service's own), and `content` (HTML whose values the caller escaped).
/// It runs no script, loads nothing, cannot be framed, and is not cached
/// (journey pages can carry single-use values). The policy allows the style
/// sheet by its hash, so no inline style may run but this one. `lang` is
/// the page's language (a locale tag); a right-to-left one mirrors it.
pub fn html_in(lang: &str, title: &str, style: &str, content: &str) -> HttpResponse {
    html_with(lang, title, style, content, "", &[])
}

/// [`html_in`] whose form may lead, through the redirects that follow it, to
/// `form_origins` as well as the service's own (origins in the strict
/// shape of [`app::web_origin::web_origin`]): browsers hold those
/// redirects to the page's `form-action`.
pub fn html_with_form_origins(
    lang: &str,
    title: &str,
    style: &str,
    content: &str,
    form_origins: &[String],
) -> HttpResponse {
    html_with(lang, title, style, content, "", form_origins)
}

/// [`html_in`] with `head` (HTML of the service's own, values escaped) in
/// the page's head; scripts may come from the service's own files alone.
pub fn html_with(
    lang: &str,
    title: &str,
    style: &str,
    content: &str,
    head: &str,
    form_origins: &[String],
) -> HttpResponse {
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    let language = lang.split(['-', '_']).next().unwrap_or_default();
    let direction = if domain::customer_pages::right_to_left(&language.to_ascii_lowercase()) {
        "rtl"
    } else {
        "ltr"
    };
    let body = format!(
        "<!doctype html><html lang=\"{}\" dir=\"{direction}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{style}</style>{head}</head><body>{content}</body></html>",
        escape_html(lang),
        escape_html(title)
    );
    let scripts = if head.is_empty() {
        ""
    } else {
        " script-src 'self';"
    };
    let mut forms = String::from("'self'");
    for origin in form_origins {
        forms.push(' ');
        forms.push_str(origin);
    }
    journey_page(&format!(
        "default-src 'none';{scripts} style-src 'sha256-{hash}'; form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    ))
    .body(body)
}

/// The start of an HTML answer of the journey under `policy`: it cannot be
/// framed, is not cached, and sends no referrer.
pub fn journey_page(policy: &str) -> actix_web::HttpResponseBuilder {
    let mut page = HttpResponse::Ok();
    page.content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, policy))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    page
}

/// Escapes text for HTML and XML content and attribute values.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}
