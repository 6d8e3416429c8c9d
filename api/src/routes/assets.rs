//! Integration logos and buttons, drawn by the service itself so that a
//! journey UI needs nothing from elsewhere. Public: an `<img>` tag sends no
//! credentials.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use domain::integration::PlatformKey;

use crate::error::{ApiError, ErrorCode};
use crate::html_page::escape_html;
use crate::state::AppState;

/// `GET /assets/integrations/{platformKey}/{variant}.svg`
pub async fn integration_image(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_key, file) = path.into_inner();
    let key = PlatformKey::parse(&raw_key).map_err(ApiError::field)?;
    let entry = state.catalogue.get(&key).ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::IntegrationNotFound,
            format_args!("Integration {key}"),
        )
    })?;
    let integration = &entry.integration;
    let name = escape_html(&integration.name);
    let colour = escape_html(&integration.brand_colour);
    let initials = escape_html(&initials(&integration.name));
    let svg = match file.as_str() {
        "square.svg" => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\" role=\"img\" aria-label=\"{name}\">\
             <rect width=\"64\" height=\"64\" rx=\"12\" fill=\"{colour}\"/>\
             <text x=\"32\" y=\"41\" font-family=\"sans-serif\" font-size=\"24\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">{initials}</text></svg>"
        ),
        "full.svg" => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"64\" viewBox=\"0 0 240 64\" role=\"img\" aria-label=\"{name}\">\
             <rect width=\"64\" height=\"64\" rx=\"12\" fill=\"{colour}\"/>\
             <text x=\"32\" y=\"41\" font-family=\"sans-serif\" font-size=\"24\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">{initials}</text>\
             <text x=\"76\" y=\"40\" font-family=\"sans-serif\" font-size=\"20\" fill=\"#1f2328\">{name}</text></svg>"
        ),
        "button.svg" | "button-hover.svg" => {
            let fill = if file == "button.svg" { "#ffffff" } else { "#f3f4f6" };
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"280\" height=\"48\" viewBox=\"0 0 280 48\" role=\"img\" aria-label=\"Connect {name}\">\
                 <rect x=\"0.5\" y=\"0.5\" width=\"279\" height=\"47\" rx=\"8\" fill=\"{fill}\" stroke=\"{colour}\"/>\
                 <rect x=\"8\" y=\"8\" width=\"32\" height=\"32\" rx=\"6\" fill=\"{colour}\"/>\
                 <text x=\"24\" y=\"29\" font-family=\"sans-serif\" font-size=\"13\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">{initials}</text>\
                 <text x=\"52\" y=\"30\" font-family=\"sans-serif\" font-size=\"16\" fill=\"#1f2328\">Connect {name}</text></svg>"
            )
        }
        _ => return Err(ApiError::new(ErrorCode::AssetNotFound, format!("No image {file} for integration {key}."))),
    };
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(svg))
}

/// Up to two letters from the name's words: `Sage Intacct` → `SI`.
fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .collect();
    letters.to_uppercase()
}
