//! `GET` and `PUT /companies/{companyId}/reminders`: a company's reminders,
//! and turning them off (or on again) for it, by the client or the customer.

use actix_web::{get, put, web};
use chrono::Utc;
use domain::ids::CompanyId;
use domain::journey::JourneyStatus;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::reminders::{CompanyRemindersBody, SetRemindersBody};
use crate::error::{ApiError, ApiResult};
use crate::openapi::responses::{ItemErrors, ItemWriteErrors};
use crate::state::AppState;

/// A company's reminders with when the next one is due, as the newest settings judge it.
pub async fn reminders_of(
    state: &AppState,
    caller: &Caller,
    company: CompanyId,
    reminders: domain::reminder::ReminderState,
) -> ApiResult<CompanyRemindersBody> {
    let found = state
        .store
        .get_company(caller.client, company)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    let settings =
        crate::client_settings::link_settings(state.store.as_ref(), caller.client).await?;
    let ledger = state.store.consent_ledger(caller.client, company).await?;
    let connections = state
        .store
        .connections_of(caller.client, &[company])
        .await?;
    let status = JourneyStatus::new(&settings, &ledger, &connections);
    let next = app::reminders::next_due(&settings, &reminders, &status, found.created, Utc::now());
    Ok(CompanyRemindersBody::new(reminders, next))
}

/// Get a company's reminders
///
/// Whether the company is reminded of its journey, how many reminders went
/// out (each a `journey.reminder` event) and when the next is due. A company
/// token may read its company's when your back end issued it or the journey
/// was opened from a signed link (403 for a bare company id's token and for
/// one made from an invitation).
#[utoipa::path(
    operation_id = "get-company-reminders",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "The company's reminders.", body = CompanyRemindersBody), ItemErrors)
)]
#[get("/companies/{companyId}/reminders")]
pub async fn get_reminders(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<CompanyRemindersBody>> {
    let company = CompanyId::from(company.into_inner());
    let reminders = state
        .store
        .reminder_state(caller.client, company)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    Ok(web::Json(
        reminders_of(&state, &caller, company, reminders).await?,
    ))
}

/// Turn a company's reminders off or on, and say where they are emailed
///
/// `{"enabled": false}` stops the company's reminders whatever the policy
/// says; `{"enabled": true}` lets the policy remind it again. `email` is the
/// address Link API emails them to when the policy's `sendEmails` is on
/// (left out, it stays as it was; `null` removes it). A company token your
/// back end issued, or the journey's from a signed link, may change its
/// company's, so the customer can opt out, or give an address, from the
/// journey; a bare company id's token and one made from an invitation get 403.
#[utoipa::path(
    operation_id = "set-company-reminders",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body = SetRemindersBody,
    responses((status = 200, description = "The company's reminders as they now stand.", body = CompanyRemindersBody), ItemWriteErrors)
)]
#[put("/companies/{companyId}/reminders")]
pub async fn set_reminders(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
    body: crate::extract::Json<SetRemindersBody>,
) -> ApiResult<web::Json<CompanyRemindersBody>> {
    let company = CompanyId::from(company.into_inner());
    let body = body.into_inner();
    let email = match body.email {
        Some(Some(address)) => Some(Some(reminder_address(address)?)),
        other => other,
    };
    let reminders = state
        .store
        .set_reminders(
            caller.client,
            company,
            body.enabled,
            email.as_ref().map(Option::as_deref),
            Utc::now(),
        )
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    Ok(web::Json(
        reminders_of(&state, &caller, company, reminders).await?,
    ))
}

/// A reminder address: one address an SMTP server takes, no display name.
fn reminder_address(address: String) -> ApiResult<String> {
    let mut errors = domain::ValidationErrors::default();
    let checked = errors
        .optional_email("email", Some(address))
        .filter(|a| a.parse::<lettre::Address>().is_ok());
    match checked {
        Some(address) => Ok(address),
        None if errors.is_empty() => Err(ApiError::field(domain::FieldError::new(
            "email",
            "Email",
            "email is one address, such as owner@example.com, with no name around it.",
        ))),
        None => Err(errors.into()),
    }
}
