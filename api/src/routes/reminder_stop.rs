//! The stop link of reminder emails,
//! `/link/company/{companyId}/reminders/stop?token=…&locale=…`: `GET` asks
//! the customer to confirm on a page of its own (mail scanners open links,
//! so a look changes nothing); `POST`, from that page or from a mail
//! client's one-click unsubscribe (RFC 8058), turns the company's reminders
//! off. The token is the link's signature; a wrong one, or a company that is
//! gone, answers that the link is not valid. The pages speak the email's
//! language.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use domain::email::{stop_page_words, StopPageWords};
use domain::ids::CompanyId;
use serde::Deserialize;
use uuid::Uuid;

use crate::customer_page::{self, Brand};
use crate::error::ApiError;
use crate::html_page::escape_html;
use crate::state::AppState;

/// The stop link's query.
#[derive(Debug, Deserialize)]
pub struct StopQuery {
    token: Option<String>,
    locale: Option<String>,
}

impl StopQuery {
    /// The page's language: the link's when it is a locale, else English.
    fn locale(&self) -> &str {
        self.locale
            .as_deref()
            .filter(|l| domain::locale::is_locale_tag(l))
            .unwrap_or("en")
    }
}

/// A page of a headline and a paragraph in `lang`, in the name of `client` when known.
fn page(
    lang: &str,
    status: StatusCode,
    client: Option<&str>,
    headline: &str,
    text: &str,
    more: &str,
) -> HttpResponse {
    let brand = client.map(|name| Brand {
        client: name.to_owned(),
        help_url: None,
    });
    customer_page::render(status, lang, brand.as_ref(), headline, text, more)
}

/// What a valid link opens: the page's words, the company it names and
/// the client that reminds it.
struct Linked {
    words: StopPageWords,
    company: domain::company::Company,
    client: String,
}

/// What the link names, or the page that refuses it.
async fn linked(
    state: &AppState,
    company: &str,
    query: &StopQuery,
) -> Result<Result<Linked, HttpResponse>, ApiError> {
    let words = stop_page_words(query.locale());
    let not_valid = |status| {
        page(
            query.locale(),
            status,
            None,
            &words.not_valid,
            &words.not_valid_body,
            "",
        )
    };
    let Ok(id) = Uuid::parse_str(company) else {
        return Ok(Err(not_valid(StatusCode::BAD_REQUEST)));
    };
    let found = app::reminder_emails::stop_link_company(
        state.store.as_ref(),
        &state.cipher,
        CompanyId::from(id),
        query.token.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(match found {
        Some((company, client)) => Ok(Linked {
            words,
            company,
            client,
        }),
        None => Err(not_valid(StatusCode::NOT_FOUND)),
    })
}

/// `GET`: what the link does, and a button that does it.
pub async fn confirm(
    state: web::Data<AppState>,
    company: web::Path<String>,
    query: web::Query<StopQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = match linked(&state, &company, &query).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let (words, company, client) = (found.words, found.company, found.client);
    let action = format!(
        "/link/company/{}/reminders/stop?token={}&locale={}",
        company.id,
        domain::profile::percent_encode(query.token.as_deref().unwrap_or_default()),
        domain::profile::percent_encode(query.locale()),
    );
    let form = format!(
        "<form method=\"post\" action=\"{}\"><button class=\"primary\" type=\"submit\">{}</button></form>",
        escape_html(&action),
        escape_html(&words.button)
    );
    Ok(page(
        query.locale(),
        StatusCode::OK,
        Some(&client),
        &words.ask.replace("{client}", &client),
        &words
            .ask_body
            .replace("{client}", &client)
            .replace("{company}", company.fields.name.as_str()),
        &form,
    ))
}

/// `POST`: turns the company's reminders off.
pub async fn stop(
    state: web::Data<AppState>,
    company: web::Path<String>,
    query: web::Query<StopQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = match linked(&state, &company, &query).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let (words, company, client) = (found.words, found.company, found.client);
    state
        .store
        .set_reminders(company.client_id, company.id, false, None, Utc::now())
        .await?;
    Ok(page(
        query.locale(),
        StatusCode::OK,
        Some(&client),
        &words.done,
        &words.done_body.replace("{client}", &client),
        "",
    ))
}
