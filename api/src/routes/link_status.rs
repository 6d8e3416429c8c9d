//! `GET /companies/{companyId}/linkStatus`: where a company stands in its
//! journey, for a UI that resumes it or a back end that waits for it.

use actix_web::{get, web};
use domain::ids::CompanyId;
use domain::journey::JourneyStatus;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::connection::ConnectionBody;
use crate::dto::reminders::CompanyRemindersBody;
use crate::error::{ApiError, ApiResult};
use crate::openapi::responses::ItemErrors;
use crate::state::AppState;

/// Where one category of the journey stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryStatusBody {
    /// `accounting`, `banking` or `commerce`.
    pub category: &'static str,
    /// Whether the journey needs a linked connection of this category; an optional one may be skipped.
    pub required: bool,
    /// Whether an active consent covers the category.
    pub consented: bool,
    /// Whether one of its connections is `Linked`.
    pub linked: bool,
    /// Linked, or optional.
    pub satisfied: bool,
    /// The company's connections of this category, oldest first.
    pub connections: Vec<ConnectionBody>,
}

/// Where a company stands in its journey.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkStatus {
    pub company_id: Uuid,
    /// The company's name, for a caller that proves it is the customer's (the client's back
    /// end, a signed link, an invitation): what a receipt names. Left out for a bare company id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The link settings version the status is judged by (the newest).
    pub settings_version: i64,
    /// Whether linking needs an active consent for the connection's category.
    pub consent_required: bool,
    /// Every required category is linked.
    pub complete: bool,
    /// The required categories not linked yet.
    pub missing: Vec<&'static str>,
    pub categories: Vec<CategoryStatusBody>,
    /// The company's reminders: whether they are on, how many went out, when the next is due
    /// (`PUT /companies/{companyId}/reminders` turns them off).
    pub reminders: CompanyRemindersBody,
}

/// Get journey status
///
/// For each category of the link settings: whether it is required or
/// optional, whether the company has consented to it, and its connections
/// with their states; plus whether the journey is complete (every required
/// category linked; optional ones may be skipped). A company token may read
/// its company's status; one made from an invitation sees only the invited
/// categories, each of them required. Where reminders are emailed, and the
/// reminders sent, are shown only to the client's back end and to a company
/// token from it or from a signed link.
#[utoipa::path(
    operation_id = "get-link-status",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "The company's journey status.", body = LinkStatus), ItemErrors)
)]
#[get("/companies/{companyId}/linkStatus")]
pub async fn get_link_status(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<LinkStatus>> {
    let company = CompanyId::from(company.into_inner());
    let ledger = state
        .store
        .consent_ledger(caller.client, company)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    let settings =
        crate::client_settings::link_settings(state.store.as_ref(), caller.client).await?;
    let connections = state
        .store
        .connections_of(caller.client, &[company])
        .await?;
    let owner = state.store.get_company(caller.client, company).await?;
    let reminder_state = state.store.reminder_state(caller.client, company).await?;
    let mut reminders = CompanyRemindersBody::new(
        reminder_state.clone(),
        app::reminders::next_due(
            &settings,
            &reminder_state,
            &JourneyStatus::new(&settings, &ledger, &connections),
            owner.created,
            chrono::Utc::now(),
        ),
    );
    if !caller.owns_company() {
        // Where reminders go, and how their emails went, are the company's own.
        reminders.email = None;
        reminders.history.clear();
    }
    let mut status = JourneyStatus::new(&settings, &ledger, &connections);
    if let Some(invited) = caller.categories {
        status = status.invited(invited);
    }
    Ok(web::Json(LinkStatus {
        company_id: company.as_uuid(),
        company_name: caller
            .proves_customer()
            .then(|| owner.fields.name.as_str().to_owned()),
        settings_version: settings.version,
        consent_required: settings.consent_required,
        complete: status.complete(),
        missing: status
            .categories
            .iter()
            .filter(|c| !c.satisfied())
            .map(|c| c.name)
            .collect(),
        categories: status
            .categories
            .iter()
            .map(|c| CategoryStatusBody {
                category: c.name,
                required: c.required,
                consented: c.consented,
                linked: c.linked(),
                satisfied: c.satisfied(),
                connections: c
                    .connections
                    .iter()
                    .map(|&connection| state.connection_body(connection.clone()))
                    .collect(),
            })
            .collect(),
        reminders,
    }))
}
