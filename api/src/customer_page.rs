//! Link API's own pages for a customer outside the journey (a link that no
//! longer opens it, the end of a Link URL, the Sandbox, a reminder's stop
//! link): in the customer's language, naming the client who asks, with a
//! way forward, in the journey's look. They run no script and load nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use domain::customer_pages::{help_label, shipped, words, Notice};
use domain::ids::ClientId;

use crate::error::ApiError;
use crate::html_page::{escape_html, html_in, html_with};
use crate::state::AppState;

/// The pages' one style sheet: the journey's colours, both colour schemes.
pub const STYLE: &str = ":root{color-scheme:light dark;--text:#1f2328;--muted:#57606a;--surface:#fff;--card:#f6f8fa;\
--line:#d0d7de;--primary:#3b3bc4;--on-primary:#fff}\
@media (prefers-color-scheme:dark){:root{--text:#e6edf3;--muted:#a8b3bf;--surface:#0d1117;--card:#161b22;\
--line:#3d444d;--primary:#a5a5ff;--on-primary:#10102a}}\
body{margin:0;background:var(--surface);color:var(--text);line-height:1.5;\
font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif}\
main{max-inline-size:32rem;margin:0 auto;padding:1.5rem 1rem 2rem}\
.brand{font-weight:600;margin-block-end:1.5rem}h1{font-size:1.5rem;line-height:1.25;margin-block:0 1rem}\
p{margin-block:0 1rem}.muted{color:var(--muted)}a{color:var(--primary)}\
form{display:flex;flex-wrap:wrap;gap:.75rem;margin-block-start:1.5rem}\
button{font:inherit;border-radius:.5rem;padding:.6rem 1.1rem;cursor:pointer;border:1px solid var(--primary);\
background:transparent;color:var(--primary)}button.primary{background:var(--primary);color:var(--on-primary)}\
:focus-visible{outline:3px solid var(--primary);outline-offset:2px}";

/// Who the page speaks for: the client's name, and its help page.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub client: String,
    pub help_url: Option<String>,
}

impl Brand {
    /// The brand of `client`: its profile's name and its link settings' help page.
    pub async fn of(state: &AppState, client: ClientId) -> Result<Self, ApiError> {
        let profile = app::clients::profile(state.store.as_ref(), client).await?;
        Self::named(state, client, profile.name).await
    }

    /// The brand of `client`, whose profile's `name` the caller has read already.
    pub async fn named(state: &AppState, client: ClientId, name: String) -> Result<Self, ApiError> {
        let settings = crate::client_settings::link_settings(state.store.as_ref(), client).await?;
        Ok(Self {
            client: name,
            help_url: settings.hosted.help_url,
        })
    }
}

/// The page's language: the `locale` asked for (a Link URL's, carried
/// through its provider), else the address's `?locale=`, when shipped; else
/// the browser's first shipped one (`Accept-Language`); else English.
pub fn language_for(request: &HttpRequest, asked: Option<&str>) -> &'static str {
    let in_address = || {
        actix_web::web::Query::<std::collections::BTreeMap<String, String>>::from_query(
            request.query_string(),
        )
        .ok()
        .and_then(|query| query.into_inner().remove("locale"))
    };
    if let Some(locale) = asked
        .map(str::to_owned)
        .or_else(in_address)
        .filter(|l| !l.is_empty())
    {
        return domain::customer_pages::language(&locale);
    }
    let header = request
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept_language::parse(header)
        .iter()
        .find_map(|tag| shipped(tag))
        .unwrap_or("en")
}

/// The page of `notice` (`platform` fills `{platform}`), answered with `status`.
pub fn notice(
    status: StatusCode,
    language: &'static str,
    brand: Option<&Brand>,
    notice: Notice,
    platform: &str,
) -> HttpResponse {
    let (title, text) = said(notice, language, brand, platform);
    render(status, language, brand, &title, &text, "")
}

/// The headline and text of `notice` in `language`, filled in.
fn said(notice: Notice, language: &str, brand: Option<&Brand>, platform: &str) -> (String, String) {
    let words = words(notice, language);
    let fill = |text: &str| {
        text.replace("{platform}", platform)
            .replace("{client}", brand.map_or("", |b| b.client.as_str()))
    };
    (fill(words.title), fill(words.body))
}

/// [`notice`] (200) with `head` in the page's head: HTML of the service's
/// own, values escaped, scripts from its own files alone.
pub fn notice_with_head(
    language: &'static str,
    brand: &Brand,
    notice: Notice,
    platform: &str,
    head: &str,
) -> HttpResponse {
    let (title, text) = said(notice, language, Some(brand), platform);
    html_with(
        language,
        &title,
        STYLE,
        &content(Some(brand), language, &title, &text, ""),
        head,
        &[],
    )
}

/// A page with `title` and `text` (plain text, escaped here) and `more`
/// (HTML of the caller's, its values escaped), in `language`, under the
/// client's name and with its help link when it has one.
pub fn render(
    status: StatusCode,
    language: &str,
    brand: Option<&Brand>,
    title: &str,
    text: &str,
    more: &str,
) -> HttpResponse {
    let mut response = html_in(
        language,
        title,
        STYLE,
        &content(brand, language, title, text, more),
    );
    *response.status_mut() = status;
    response
}

/// The page's body: the client's name, the headline, the text, `more`, and the help link.
fn content(brand: Option<&Brand>, language: &str, title: &str, text: &str, more: &str) -> String {
    let header = brand.map_or(String::new(), |b| {
        format!(
            "<header class=\"brand\">{}</header>",
            escape_html(&b.client)
        )
    });
    let help = brand
        .and_then(|b| b.help_url.as_deref().map(|url| (b, url)))
        .map_or(String::new(), |(b, url)| {
            format!(
                "<p class=\"muted\"><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></p>",
                escape_html(url),
                escape_html(&help_label(language).replace("{client}", &b.client))
            )
        });
    format!(
        "<main>{header}<h1>{}</h1><p>{}</p>{more}{help}</main>",
        escape_html(title),
        escape_html(text)
    )
}

/// The company a hosted URL names, or the page to answer instead, in the
/// customer's language: a clear 400 for an id that is not one, a 404 for a
/// company that does not exist.
pub async fn known_company(
    state: &AppState,
    raw: &str,
    request: &HttpRequest,
) -> Result<Result<domain::company::Company, HttpResponse>, ApiError> {
    let language = || language_for(request, None);
    let Ok(id) = uuid::Uuid::parse_str(raw) else {
        return Ok(Err(notice(
            StatusCode::BAD_REQUEST,
            language(),
            None,
            Notice::LinkUnknown,
            "",
        )));
    };
    match state
        .store
        .find_company(domain::ids::CompanyId::from(id))
        .await
    {
        Ok(company) => Ok(Ok(company)),
        Err(domain::ports::RepoError::NotFound) => Ok(Err(notice(
            StatusCode::NOT_FOUND,
            language(),
            None,
            Notice::CompanyUnknown,
            "",
        ))),
        Err(other) => Err(other.into()),
    }
}
