//! `GET /companies/{companyId}/export`: everything held about a company,
//! except secrets, as one JSON document.

use actix_web::{get, web};
use chrono::{DateTime, SubsecRound, Utc};
use domain::ids::CompanyId;
use domain::paging::PageRequest;
use domain::ports::EventQuery;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::company::CompanyBody;
use crate::dto::connection::{ConnectionBody, HistoryEntryBody};
use crate::dto::consent::ConsentBody;
use crate::dto::invitation::InvitationBody;
use crate::error::{ApiError, ApiResult};
use crate::events::EventBody;
use crate::openapi::responses::ItemErrors;
use crate::state::AppState;

/// A connection with every transition it went through.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedConnection {
    #[serde(flatten)]
    pub connection: ConnectionBody,
    /// Oldest first.
    pub history: Vec<HistoryEntryBody>,
}

/// Everything held about a company except secrets.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyExport {
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: DateTime<Utc>,
    pub company: CompanyBody,
    pub connections: Vec<ExportedConnection>,
    /// The consent ledger, oldest first.
    pub consents: Vec<ConsentBody>,
    pub invitations: Vec<InvitationBody>,
    /// Its reminders, with the address they are emailed to.
    pub reminders: crate::dto::reminders::CompanyRemindersBody,
    /// Every event about the company, oldest first.
    pub events: Vec<EventBody>,
}

/// Export company data
///
/// Everything Link API holds about a company, in one document: the company,
/// its connections with their history, its consent ledger, its invitations,
/// its reminders and its events. Credentials, tokens and secrets are never included (only
/// whether a connection is linked).
#[utoipa::path(
    operation_id = "export-company",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "The company's data.", body = CompanyExport), ItemErrors)
)]
#[get("/companies/{companyId}/export")]
pub async fn export_company(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<CompanyExport>> {
    let id = CompanyId::from(company.into_inner());
    let company = state
        .store
        .get_company(caller.client, id)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(id)))?;
    let company_body = crate::routes::companies::company_body(&state, caller.client, company)
        .await?
        .into_inner();
    let mut connections = Vec::new();
    for connection in state.store.connections_of(caller.client, &[id]).await? {
        let history = state
            .store
            .connection_history(caller.client, id, connection.id)
            .await?;
        connections.push(ExportedConnection {
            connection: state.connection_body(connection),
            history: history.into_iter().map(Into::into).collect(),
        });
    }
    let consents = state.store.consent_ledger(caller.client, id).await?;
    let now = Utc::now().trunc_subsecs(6);
    let invitations = state.store.list_invitations(caller.client, id).await?;
    let reminders = state.store.reminder_state(caller.client, id).await?;
    let reminders = crate::routes::reminders::reminders_of(&state, &caller, id, reminders).await?;
    let query = EventQuery {
        company: Some(id),
        ..EventQuery::default()
    };
    let mut events = Vec::new();
    for page in 1.. {
        let found = state
            .store
            .list_events(
                caller.client,
                &query,
                PageRequest::new(Some(page), Some(5000))?,
            )
            .await?;
        let last = found.items.len() < 5000;
        events.extend(found.items.into_iter().map(EventBody::from));
        if last {
            break;
        }
    }
    events.reverse();
    Ok(web::Json(CompanyExport {
        exported_at: now,
        company: company_body,
        connections,
        consents: consents.into_iter().map(ConsentBody::from).collect(),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationBody::new(i, now))
            .collect(),
        reminders,
        events,
    }))
}
