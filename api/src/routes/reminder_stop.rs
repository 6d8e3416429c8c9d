//! The stop link of reminder emails, `/link/company/{companyId}/reminders/stop?token=…`:
//! `GET` asks the customer to confirm on a page of its own (mail scanners
//! open links, so a look changes nothing); `POST`, from that page or from a
//! mail client's one-click unsubscribe (RFC 8058), turns the company's
//! reminders off. The token is the link's signature; a wrong one, or a
//! company that is gone, answers that the link is not valid.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use domain::ids::CompanyId;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ApiError;
use crate::routes::link::{escape_html, html, page, page_with_status};
use crate::state::AppState;

/// The stop link's query.
#[derive(Debug, Deserialize)]
pub struct StopQuery {
    token: Option<String>,
}

/// The company and client name the link names, or the page that refuses it.
async fn linked(
    state: &AppState,
    company: &str,
    token: Option<&str>,
) -> Result<Result<(domain::company::Company, String), HttpResponse>, ApiError> {
    let not_valid = |status| {
        page_with_status(
            status,
            "This link is not valid",
            "Check that the whole address was copied from the email.",
        )
    };
    let Ok(id) = Uuid::parse_str(company) else {
        return Ok(Err(not_valid(StatusCode::BAD_REQUEST)));
    };
    let found = crate::reminders::stop_link_company(
        state.store.as_ref(),
        &state.cipher,
        CompanyId::from(id),
        token.unwrap_or_default(),
    )
    .await?;
    Ok(found.ok_or_else(|| not_valid(StatusCode::NOT_FOUND)))
}

/// `GET`: what the link does, and a button that does it.
pub async fn confirm(
    state: web::Data<AppState>,
    company: web::Path<String>,
    query: web::Query<StopQuery>,
) -> Result<HttpResponse, ApiError> {
    let (company, client) = match linked(&state, &company, query.token.as_deref()).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let action = format!(
        "/link/company/{}/reminders/stop?token={}",
        company.id,
        domain::profile::percent_encode(query.token.as_deref().unwrap_or_default())
    );
    let headline = format!("Stop reminders from {client}?");
    Ok(html(
        &headline,
        "body{font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328}\
         button{font-size:1rem;padding:.6rem 1.2rem}",
        &format!(
            "<h1>{}</h1><p>{}</p><form method=\"post\" action=\"{}\"><button type=\"submit\">Stop reminders</button></form>",
            escape_html(&headline),
            escape_html(&format!(
                "{client} will no longer email you about connecting {}. What you have already connected stays as it is.",
                company.fields.name.as_str()
            )),
            escape_html(&action),
        ),
    ))
}

/// `POST`: turns the company's reminders off.
pub async fn stop(
    state: web::Data<AppState>,
    company: web::Path<String>,
    query: web::Query<StopQuery>,
) -> Result<HttpResponse, ApiError> {
    let (company, client) = match linked(&state, &company, query.token.as_deref()).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    state
        .store
        .set_reminders(company.client_id, company.id, false, None, Utc::now())
        .await?;
    Ok(page(
        "Reminders stopped",
        &format!("{client} will send you no more reminders about connecting your business."),
    ))
}
