//! Webhook consumers (`/webhooks`, as Codat's), their signing secrets, their
//! delivery log, and test events.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use domain::paging::PageRequest;
use domain::ports::{DeliveryLog, RepoError};
use domain::secrets::{SealedSecret, SecretLocation};
use domain::validation::char_len;
use domain::webhook::{
    Event, Webhook, EVENT_TYPES, MAX_COMPANY_TAGS, SECRET_GRACE_HOURS, TEST_EVENT_TYPE,
};
use domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dispatcher::may_reach;
use crate::dto::paging::PagingInfo;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::events::EventBody;
use crate::openapi::responses::{CreateErrors, ItemErrors, ItemWriteErrors, ListErrors};
use crate::state::AppState;
use app::webhooks::new_secret;

/// A webhook consumer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0198f3c2-7f00-7a11-9b21-4c5d6e7f8a90", "url": "https://hooks.example.com/link-api",
    "disabled": false, "eventTypes": ["connection.connected", "connection.disconnected"], "companyTags": ["region:uk"],
    "created": "2026-01-05T10:50:00.000000Z"}))]
pub struct WebhookConsumer {
    pub id: Uuid,
    /// Where events are sent.
    pub url: String,
    /// A disabled consumer gets nothing; its pending deliveries wait until it is enabled.
    pub disabled: bool,
    /// The event types it gets; empty for all.
    pub event_types: Vec<String>,
    /// `tagKey:tagValue` pairs; when any are set, only events of companies with one of them.
    pub company_tags: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    /// The signing secret (`whsec_…`). Shown only when the consumer is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<Webhook> for WebhookConsumer {
    fn from(webhook: Webhook) -> Self {
        Self {
            id: webhook.id,
            url: webhook.url,
            disabled: webhook.disabled,
            event_types: webhook.event_types,
            company_tags: webhook.company_tags,
            created: webhook.created,
            secret: None,
        }
    }
}

/// The client's webhook consumers.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookConsumers {
    pub results: Vec<WebhookConsumer>,
}

/// Longest company tag a consumer filters on.
const MAX_COMPANY_TAG_LEN: usize = 128;

/// A consumer to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"url": "https://hooks.example.com/link-api", "eventTypes": ["connection.connected"], "companyTags": ["region:uk"]}))]
pub struct WebhookConsumerPrototype {
    /// Where deliveries go: an http:// or https:// URL of at most 2000 characters.
    #[schema(value_type = String, required = true, max_length = 2000, pattern = "^https?://")]
    pub url: Option<String>,
    pub disabled: Option<bool>,
    /// The event types to send; all when left out or empty.
    #[schema(schema_with = event_types_schema)]
    pub event_types: Option<Vec<String>>,
    /// Only events of companies with one of these tags (`tagKey:tagValue`); any company when empty.
    #[schema(schema_with = company_tags_schema)]
    pub company_tags: Option<Vec<String>>,
}

/// Changes to a consumer; fields left out keep their values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"disabled": true}))]
pub struct WebhookConsumerChanges {
    /// Where deliveries go: an http:// or https:// URL of at most 2000 characters.
    #[schema(max_length = 2000, pattern = "^https?://")]
    pub url: Option<String>,
    pub disabled: Option<bool>,
    /// The event types to send; all when empty.
    #[schema(schema_with = event_types_schema)]
    pub event_types: Option<Vec<String>>,
    /// Only events of companies with one of these tags (`tagKey:tagValue`); any company when empty.
    #[schema(schema_with = company_tags_schema)]
    pub company_tags: Option<Vec<String>>,
}

/// The event types a consumer may ask for: all but the test event.
fn event_types_schema() -> utoipa::openapi::schema::Array {
    let types = EVENT_TYPES.into_iter().filter(|t| *t != TEST_EVENT_TYPE);
    utoipa::openapi::schema::ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::Array,
            utoipa::openapi::Type::Null,
        ]))
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .enum_values(Some(types)),
        )
        .build()
}

/// Company tags a consumer filters on, as `check` accepts them.
fn company_tags_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::Array,
            utoipa::openapi::Type::Null,
        ]))
        .max_items(Some(MAX_COMPANY_TAGS))
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(MAX_COMPANY_TAG_LEN))
                .pattern(Some(":")),
        )
        .build()
}

/// A new signing secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RotatedSecret {
    /// The new secret (`whsec_…`), shown only now.
    pub secret: String,
    /// Until when deliveries are also signed with the previous secret.
    #[schema(value_type = String, format = DateTime)]
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// One try at delivering an event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptBody {
    #[schema(value_type = String, format = DateTime)]
    pub attempted_at: DateTime<Utc>,
    /// The consumer's status code, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One event's delivery to a consumer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryBody {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `Pending`, `Delivered` or `Failed` (every attempt of the schedule failed).
    pub status: String,
    /// When a pending delivery is tried next.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    /// Oldest first.
    pub attempts: Vec<AttemptBody>,
}

impl From<DeliveryLog> for DeliveryBody {
    fn from(log: DeliveryLog) -> Self {
        Self {
            id: log.id,
            event_id: log.event_id,
            event_type: log.event_type,
            status: log.status,
            next_attempt_at: log.next_attempt_at,
            created: log.created,
            attempts: log
                .attempts
                .into_iter()
                .map(|a| AttemptBody {
                    attempted_at: a.at,
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    error: a.error,
                })
                .collect(),
        }
    }
}

/// A page of a consumer's deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deliveries {
    pub results: Vec<DeliveryBody>,
    #[serde(flatten)]
    pub paging: PagingInfo,
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647, default = 1)]
    pub page: Option<i64>,
    /// Items in a page, from 1 to 5000.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5000, default = 100)]
    pub page_size: Option<i64>,
}

fn not_found(id: Uuid) -> impl FnOnce() -> ApiError {
    move || {
        ApiError::not_found(
            ErrorCode::WebhookNotFound,
            format_args!("Webhook consumer {id}"),
        )
    }
}

/// Checks a consumer's fields, recording every problem.
fn check(errors: &mut ValidationErrors, state: &AppState, webhook: &mut Webhook) {
    if char_len(&webhook.url) > 2000 || !may_reach(&webhook.url, true) {
        errors.push(FieldError::new(
            "url",
            "Url",
            "url must be an http:// or https:// URL of at most 2000 characters, without credentials.",
        ));
    } else if !may_reach(&webhook.url, state.webhooks_may_reach_private) {
        errors.push(FieldError::new(
            "url",
            "PrivateAddress",
            "url points to a loopback or private address, which this service does not send webhooks to \
             (see LINK_WEBHOOK_ALLOW_PRIVATE).",
        ));
    }
    webhook.event_types.sort();
    webhook.event_types.dedup();
    if let Some(unknown) = webhook
        .event_types
        .iter()
        .find(|t| !EVENT_TYPES.contains(&t.as_str()) || *t == TEST_EVENT_TYPE)
    {
        errors.push(FieldError::new(
            "eventTypes",
            "EventType",
            format!(
                "`{unknown}` is not an event type; the types are {}.",
                EVENT_TYPES[..EVENT_TYPES.len() - 1].join(", ")
            ),
        ));
    }
    if webhook.company_tags.len() > MAX_COMPANY_TAGS
        || webhook
            .company_tags
            .iter()
            .any(|t| char_len(t) > MAX_COMPANY_TAG_LEN || !t.contains(':'))
    {
        errors.push(FieldError::new(
            "companyTags",
            "CompanyTags",
            format!("companyTags holds at most {MAX_COMPANY_TAGS} `tagKey:tagValue` pairs of up to {MAX_COMPANY_TAG_LEN} characters."),
        ));
    }
    webhook.company_tags.sort();
    webhook.company_tags.dedup();
}

fn seal_secret(state: &AppState, webhook: Uuid, secret: &str) -> ApiResult<SealedSecret> {
    state
        .cipher
        .seal(
            secret.as_bytes(),
            &SecretLocation::Webhook(webhook).context(),
        )
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// List webhook consumers
#[utoipa::path(
    operation_id = "list-webhook-consumers",
    tag = "Webhooks",
    responses((status = 200, description = "The client's consumers.", body = WebhookConsumers), ListErrors)
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<WebhookConsumers>> {
    let found = state.store.list_webhooks(caller.client).await?;
    Ok(web::Json(WebhookConsumers {
        results: found.into_iter().map(WebhookConsumer::from).collect(),
    }))
}

/// Create webhook consumer
///
/// Subscribes a URL to events (`eventTypes`, all when empty), optionally
/// only those of companies with one of `companyTags`. The answer carries the
/// signing secret (`secret`, `whsec_…`), shown only now. A client has at most
/// 50 consumers. Unless the service allows it, loopback and private addresses
/// are refused.
#[utoipa::path(
    operation_id = "create-webhook-consumer",
    tag = "Webhooks",
    request_body = WebhookConsumerPrototype,
    responses((status = 201, description = "The consumer, with its signing secret.", body = WebhookConsumer), CreateErrors)
)]
#[post("/webhooks")]
pub async fn create_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    body: crate::extract::Json<WebhookConsumerPrototype>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = ValidationErrors::default();
    let url = body.url.map(|u| u.trim().to_owned()).unwrap_or_default();
    if url.is_empty() {
        errors.push(FieldError::new("url", "Required", "url is required."));
    }
    let mut webhook = Webhook {
        id: Uuid::now_v7(),
        client_id: caller.client,
        url,
        disabled: body.disabled.unwrap_or(false),
        event_types: body.event_types.unwrap_or_default(),
        company_tags: body.company_tags.unwrap_or_default(),
        created: Utc::now().trunc_subsecs(6),
    };
    if errors.is_empty() {
        check(&mut errors, &state, &mut webhook);
    }
    errors.into_result(())?;
    let secret = new_secret();
    let sealed = seal_secret(&state, webhook.id, &secret)?;
    state
        .store
        .create_webhook(&webhook, &sealed)
        .await
        .map_err(|e| match e {
            RepoError::LimitReached(_) => ApiError::new(
                ErrorCode::WebhookConsumerLimitReached,
                "A client has at most 50 webhook consumers; delete one first.",
            ),
            other => other.into(),
        })?;
    let mut created = WebhookConsumer::from(webhook);
    created.secret = Some(secret.to_string());
    Ok(HttpResponse::Created().json(created))
}

/// Update webhook consumer
///
/// Changes what is sent (`url`, `eventTypes`, `companyTags`) or pauses the
/// consumer (`disabled`); fields left out keep their values. Deliveries that
/// wait for a disabled consumer go out once it is enabled again.
#[utoipa::path(
    operation_id = "update-webhook-consumer",
    tag = "Webhooks",
    params(("webhookId" = Uuid, Path, description = "The consumer's id.")),
    request_body = WebhookConsumerChanges,
    responses((status = 200, description = "The consumer.", body = WebhookConsumer), ItemWriteErrors)
)]
#[patch("/webhooks/{webhookId}")]
pub async fn update_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: crate::extract::Json<WebhookConsumerChanges>,
) -> ApiResult<web::Json<WebhookConsumer>> {
    let id = id.into_inner();
    let body = body.into_inner();
    let mut webhook = state
        .store
        .get_webhook(caller.client, id)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?
        .webhook;
    if let Some(url) = body.url {
        webhook.url = url.trim().to_owned();
    }
    if let Some(disabled) = body.disabled {
        webhook.disabled = disabled;
    }
    if let Some(types) = body.event_types {
        webhook.event_types = types;
    }
    if let Some(tags) = body.company_tags {
        webhook.company_tags = tags;
    }
    let mut errors = ValidationErrors::default();
    check(&mut errors, &state, &mut webhook);
    errors.into_result(())?;
    state
        .store
        .update_webhook(&webhook)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?;
    Ok(web::Json(webhook.into()))
}

/// Delete webhook consumer
#[utoipa::path(
    operation_id = "delete-webhook-consumer",
    tag = "Webhooks",
    params(("webhookId" = Uuid, Path, description = "The consumer's id.")),
    responses((status = 204, description = "Deleted, with its pending deliveries."), ItemWriteErrors)
)]
#[delete("/webhooks/{webhookId}")]
pub async fn delete_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .delete_webhook(caller.client, id)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate signing secret
///
/// Makes a new signing secret, shown only now. For the next 24 hours every
/// delivery carries two signatures, one per secret, so a receiver can switch
/// without missing an event.
#[utoipa::path(
    operation_id = "rotate-webhook-secret",
    tag = "Webhooks",
    params(("webhookId" = Uuid, Path, description = "The consumer's id.")),
    responses((status = 200, description = "The new secret.", body = RotatedSecret), ItemWriteErrors)
)]
#[post("/webhooks/{webhookId}/secret")]
pub async fn rotate_secret(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<RotatedSecret>> {
    let id = id.into_inner();
    let secret = new_secret();
    let sealed = seal_secret(&state, id, &secret)?;
    let until = Utc::now().trunc_subsecs(6) + Duration::hours(SECRET_GRACE_HOURS);
    state
        .store
        .rotate_webhook_secret(caller.client, id, &sealed, until)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?;
    Ok(web::Json(RotatedSecret {
        secret: secret.to_string(),
        previous_secret_expires_at: until,
    }))
}

/// List deliveries
///
/// The consumer's deliveries, newest first, each with every attempt (time,
/// status code, latency, error) and, while pending, when it is tried next.
#[utoipa::path(
    operation_id = "list-webhook-deliveries",
    tag = "Webhooks",
    params(("webhookId" = Uuid, Path, description = "The consumer's id."), PageParams),
    responses((status = 200, description = "A page of deliveries.", body = Deliveries), ItemErrors)
)]
#[get("/webhooks/{webhookId}/deliveries")]
pub async fn list_deliveries(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    params: web::Query<PageParams>,
    request: HttpRequest,
) -> ApiResult<web::Json<Deliveries>> {
    let id = id.into_inner();
    let page = PageRequest::new(params.page, params.page_size)?;
    let found = state
        .store
        .deliveries_of(caller.client, id, page)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?;
    let paging = PagingInfo::of(
        &found,
        &format!("/webhooks/{id}/deliveries"),
        request.query_string(),
    );
    Ok(web::Json(Deliveries {
        results: found.items.into_iter().map(DeliveryBody::from).collect(),
        paging,
    }))
}

/// Send a test event
///
/// Sends a signed `webhook.test` event to this consumer only (even when it
/// filters by event type or company tags), through the usual delivery and
/// retries, so its log shows how the receiver answered.
#[utoipa::path(
    operation_id = "test-webhook-consumer",
    tag = "Webhooks",
    params(("webhookId" = Uuid, Path, description = "The consumer's id.")),
    responses((status = 202, description = "The test event, queued for delivery.", body = EventBody), ItemWriteErrors)
)]
#[post("/webhooks/{webhookId}/test")]
pub async fn test_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let now = Utc::now().trunc_subsecs(6);
    let event = Event {
        id: Uuid::now_v7(),
        client_id: caller.client,
        company_id: None,
        event_type: TEST_EVENT_TYPE.into(),
        generated: now,
        company_tags: Vec::new(),
        payload: serde_json::json!({"webhookId": id, "message": "A test event from Link API."})
            .to_string(),
        correlation_id: crate::correlation::in_request(),
    };
    state
        .store
        .add_event_for(&event, id, now)
        .await
        .map_err(|e| ApiError::from_repo(e, not_found(id)))?;
    Ok(HttpResponse::Accepted().json(EventBody::from(event)))
}
