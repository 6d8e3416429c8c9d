//! Hosted Link: the customer's journey as a page at each company's
//! `redirect` URL. The server only hands out the page, its two embedded
//! assets and a short-lived company token for that company; everything the
//! journey does goes through the public API with that token, as a client's
//! own journey UI would. The page's sources live in `web/`; the built bundle
//! is committed in `web/dist/` and embedded here.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use domain::customer_pages::Notice;
use domain::ids::CompanyId;
use domain::profile::fill_redirect;
use uuid::Uuid;

use crate::customer_page::{self, Brand};
use crate::error::{ApiError, ErrorCode};
use crate::html_page::{escape_html, journey_page, redirect};
use crate::routes::link::allowed_origin;
use crate::routes::link_session::{admit, journey_access_token, journey_token_for, Entry};
use crate::state::AppState;
use app::web_origin::web_origin;

/// What the journey page may load: its own script, style sheet, images and
/// API, and the images at `image_origins` (the client's logo and icon).
fn policy(image_origins: &[String]) -> String {
    let mut images = String::from("'self' data:");
    for origin in image_origins {
        images.push(' ');
        images.push_str(origin);
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; \
         connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// `POST /link/company/{companyId}/token`: the token the embedded component
/// gets when the app gives it only a company id (as apps written for Codat's
/// Embedded Link do). It opens exactly what the company's hosted page opens,
/// to the same callers: refused while the client requires signed links, and
/// to a browser page whose origin is neither the service's nor in the
/// client's CORS settings. Allowed origins get it with CORS headers.
pub async fn journey_token(
    state: web::Data<AppState>,
    company: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Ok(id) = Uuid::parse_str(&company) else {
        return Err(ApiError::new(
            ErrorCode::InvalidPathParameter,
            format!("{company} is not a company id."),
        ));
    };
    let company = state
        .store
        .find_company(CompanyId::from(id))
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(id)))?;
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    crate::auth::check_origin(&state, company.client_id, &request).await?;
    let settings =
        crate::client_settings::link_settings(state.store.as_ref(), company.client_id).await?;
    if settings.hosted.require_signed_links {
        return Err(ApiError::new(
            ErrorCode::SignedLinkRequired,
            "This client requires signed links, so the journey needs the accessToken its back end \
             gets from GET /companies/{companyId}/accessToken.",
        ));
    }
    let token = journey_access_token(&state, &company, None)?;
    let mut response = HttpResponse::Ok();
    if let Some(origin) = origin {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::VARY, "Origin"));
    }
    Ok(response.json(token))
}

/// `GET /link/company/{companyId}`: the journey page.
pub async fn journey(
    state: web::Data<AppState>,
    company: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let company = match crate::customer_page::known_company(&state, &company, &request).await? {
        Ok(company) => company,
        Err(page) => return Ok(page),
    };
    let (token, access) = match admit(&state, &request, &company).await? {
        Ok(Entry::Token { link: None }) => (journey_token_for(&state, &company, None)?, "journey"),
        Ok(Entry::Token { link }) => (journey_token_for(&state, &company, link)?, "customer"),
        // The page opens the link itself: a mere look at the address uses nothing up.
        Ok(Entry::Unopened) => (String::new(), "link"),
        Err(page) => return Ok(page),
    };
    let profile = app::clients::profile(state.store.as_ref(), company.client_id).await?;
    let images = [&profile.logo_url, &profile.icon_url];
    let image_origins: Vec<String> = images
        .iter()
        .filter_map(|address| address.as_deref().and_then(web_origin))
        .collect();
    let icon = profile
        .icon_url
        .as_deref()
        .filter(|address| web_origin(address).is_some())
        .map_or_else(|| "data:,".to_owned(), escape_html);
    let v = crate::routes::bundle::version();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"link-api-company\" content=\"{company}\"><meta name=\"link-api-token\" content=\"{token}\"><meta name=\"link-api-access\" content=\"{access}\">\
         <title>{title}</title><link rel=\"icon\" href=\"{icon}\"><link rel=\"stylesheet\" href=\"/link/assets/hosted.css?v={v}\">\
         <script type=\"module\" src=\"/link/assets/hosted.js?v={v}\"></script></head>\
         <body><div id=\"journey\"></div></body></html>",
        company = company.id,
        // The tab says who asks (the client), as the page's header does.
        title = escape_html(&profile.name),
    );
    Ok(journey_page(&policy(&image_origins)).body(body))
}

/// `GET /link/company/{companyId}/finish`: the end of the hosted journey.
/// Sends the customer to the client's redirect URL with its placeholders
/// filled (`{companyId}`, `{statusCode}` 200, `{statusText}`, and the custom
/// values carried in the query string), or shows a final page.
pub async fn finish(
    state: web::Data<AppState>,
    company: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let company = match crate::customer_page::known_company(&state, &company, &request).await? {
        Ok(company) => company,
        Err(page) => return Ok(page),
    };
    let mut values: BTreeMap<String, String> =
        crate::routes::link::custom_params(request.query_string())?;
    for (name, value) in [
        ("clientId", company.client_id.to_string()),
        ("companyId", company.id.to_string()),
        ("statusCode", "200".to_owned()),
        ("statusText", "Completed".to_owned()),
        ("errorMessage", String::new()),
    ] {
        values.insert(name.to_owned(), value);
    }
    let profile = app::clients::profile(state.store.as_ref(), company.client_id).await?;
    if let Some(target) = fill_redirect(&profile.redirect_url, &values, &profile.whitelist_urls)
        .filter(|target| !target.is_empty() && allowed_origin(target, &profile.whitelist_urls))
    {
        return Ok(redirect(&target));
    }
    let brand = Brand::named(&state, company.client_id, profile.name).await?;
    let language = customer_page::language_for(&request, None);
    Ok(customer_page::notice(
        StatusCode::OK,
        language,
        Some(&brand),
        Notice::AllDone,
        "",
    ))
}
