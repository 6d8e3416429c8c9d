//! The event log (`/events`): what happened, as webhooks deliver it, and
//! sending an event again.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use domain::ids::CompanyId;
use domain::paging::PageRequest;
use domain::ports::EventQuery;
use domain::webhook::EVENT_TYPES;
use domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::paging::PagingInfo;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::EventBody;
use crate::extract::optional_json;
use crate::openapi::responses::{ItemErrors, ItemWriteErrors, ListErrors};
use crate::state::AppState;

/// The event types, as the spec lists them.
pub fn event_type_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(EVENT_TYPES))
        .build()
}

/// Filters and paging of the event log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// Page number, from 1.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647, default = 1)]
    pub page: Option<i64>,
    /// Events in a page, from 1 to 5000.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5000, default = 100)]
    pub page_size: Option<i64>,
    /// Only events of this type, e.g. `connection.connected`.
    #[param(schema_with = event_type_schema)]
    pub event_type: Option<String>,
    /// Only events about this company.
    pub company_id: Option<Uuid>,
    /// Only events generated at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// Only events generated before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
}

/// A page of events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Events {
    pub results: Vec<EventBody>,
    #[serde(flatten)]
    pub paging: PagingInfo,
}

/// Whom to send an event again.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayRequest {
    /// One consumer; left out, every consumer that wants the event.
    pub webhook_id: Option<Uuid>,
}

/// The consumers an event is sent to again.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub event_id: Uuid,
    pub webhook_ids: Vec<Uuid>,
}

fn not_found(id: Uuid) -> impl FnOnce() -> ApiError {
    move || ApiError::not_found(ErrorCode::EventNotFound, format_args!("Event {id}"))
}

/// List events
///
/// Everything that happened to the client's companies, connections, consents
/// and invitations, newest first, in the form webhooks deliver it.
#[utoipa::path(
    operation_id = "list-events",
    tag = "Webhooks",
    params(EventListParams),
    responses((status = 200, description = "A page of events.", body = Events), ListErrors)
)]
#[get("/events")]
pub async fn list_events(
    caller: Caller,
    state: web::Data<AppState>,
    params: web::Query<EventListParams>,
    request: HttpRequest,
) -> ApiResult<web::Json<Events>> {
    let params = params.into_inner();
    let page = PageRequest::new(params.page, params.page_size)?;
    if let Some(event_type) = &params.event_type {
        if !EVENT_TYPES.contains(&event_type.as_str()) {
            return Err(ApiError::field(FieldError::new(
                "eventType",
                "EventType",
                format!(
                    "`{event_type}` is not an event type; the types are {}.",
                    EVENT_TYPES.join(", ")
                ),
            )));
        }
    }
    let query = EventQuery {
        event_type: params.event_type,
        company: params.company_id.map(CompanyId::from),
        from: params.from,
        to: params.to,
    };
    let found = state.store.list_events(caller.client, &query, page).await?;
    let paging = PagingInfo::of(&found, "/events", request.query_string());
    Ok(web::Json(Events {
        results: found.items.into_iter().map(EventBody::from).collect(),
        paging,
    }))
}

/// Get event
#[utoipa::path(
    operation_id = "get-event",
    tag = "Webhooks",
    params(("eventId" = Uuid, Path, description = "The event's id.")),
    responses((status = 200, description = "The event.", body = EventBody), ItemErrors)
)]
#[get("/events/{eventId}")]
pub async fn get_event(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<EventBody>> {
    let id = id.into_inner();
    let event = state
        .store
        .get_event(caller.client, id)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?;
    Ok(web::Json(event.into()))
}

/// Replay event
///
/// Sends an event again, as a new delivery with its own retries: to one
/// consumer (`webhookId`), or to every consumer that wants it now. The event
/// keeps its id, so receivers that deduplicate by `webhook-id` see it as a
/// repeat. The body is optional.
#[utoipa::path(
    operation_id = "replay-event",
    tag = "Webhooks",
    params(("eventId" = Uuid, Path, description = "The event's id.")),
    request_body(content = Option<ReplayRequest>),
    responses((status = 202, description = "The consumers it goes to.", body = Replay), ItemWriteErrors)
)]
#[post("/events/{eventId}/replay")]
pub async fn replay_event(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    request: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body: ReplayRequest = optional_json(&request, &body)?;
    let webhook_ids = state
        .store
        .replay_event(
            caller.client,
            id,
            body.webhook_id,
            Utc::now().trunc_subsecs(6),
        )
        .await
        .map_err(|e| match (e, body.webhook_id) {
            (domain::ports::RepoError::NotFound, Some(webhook)) => ApiError::not_found(
                ErrorCode::EventNotFound,
                format_args!("Event {id} or webhook consumer {webhook}"),
            ),
            (other, _) => ApiError::from_repo(other, not_found(id)),
        })?;
    Ok(HttpResponse::Accepted().json(Replay {
        event_id: id,
        webhook_ids,
    }))
}
