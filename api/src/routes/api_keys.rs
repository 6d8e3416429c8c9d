use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use domain::api_key::parse_api_key_name;
use domain::ids::ApiKeyId;
use uuid::Uuid;

use crate::auth::{generate_key, hash_key, Caller};
use crate::dto::api_key::{ApiKeyDetails, ApiKeys, CreateApiKey};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::optional_json;
use crate::openapi::responses::{
    Conflict, CreateErrors, InternalError, ItemErrors, Unauthorized, Unavailable,
};
use crate::state::AppState;

/// List API keys
///
/// Lists the client's API keys, oldest first. Keys are stored hashed, so the
/// secret itself is never listed.
#[utoipa::path(
    operation_id = "list-api-keys",
    tag = "Settings",
    responses(
        (status = 200, description = "The client's API keys.", body = ApiKeys),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    )
)]
#[get("/apiKeys")]
pub async fn list_api_keys(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<ApiKeys>> {
    let keys = state.store.list_api_keys(caller.client).await?;
    let results = keys
        .into_iter()
        .map(|k| ApiKeyDetails::new(k, None))
        .collect();
    Ok(web::Json(ApiKeys { results }))
}

/// Create API key
///
/// Creates a key for the client. The response is the only place the key is
/// ever shown: store it safely. A client holds at most 10 keys.
#[utoipa::path(
    operation_id = "create-api-key",
    tag = "Settings",
    request_body(content = Option<CreateApiKey>, description = "Optional; an empty body creates an unnamed key."),
    responses(
        (status = 201, description = "The new key, with its secret.", body = ApiKeyDetails),
        (status = 409, response = Conflict),
        CreateErrors,
    )
)]
#[post("/apiKeys")]
pub async fn create_api_key(
    caller: Caller,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let body: CreateApiKey = optional_json(&request, &body)?;
    let name = parse_api_key_name(body.name.as_deref()).map_err(ApiError::field)?;
    let secret = generate_key();
    let key = state
        .store
        .create_api_key(caller.client, name, &hash_key(&secret))
        .await
        .map_err(|e| match e {
            domain::ports::RepoError::LimitReached(_) => ApiError::new(
                ErrorCode::LimitReached,
                format!(
                    "Maximum number of API keys ({}) reached. Delete an unused key and try again.",
                    domain::api_key::MAX_API_KEYS
                ),
            ),
            other => other.into(),
        })?;
    Ok(HttpResponse::Created().json(ApiKeyDetails::new(key, Some(secret))))
}

/// Delete API key
///
/// Deletes a key at once; requests made with it are refused from then on.
/// The key that authorizes this request may delete itself.
#[utoipa::path(
    operation_id = "delete-api-key",
    tag = "Settings",
    params(("apiKeyId" = Uuid, Path, description = "The key's id.")),
    responses(
        (status = 204, description = "The key is deleted."),
        ItemErrors,
    )
)]
#[delete("/apiKeys/{apiKeyId}")]
pub async fn delete_api_key(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .store
        .delete_api_key(caller.client, ApiKeyId::from(id))
        .await
        .map_err(|e| {
            ApiError::from_repo(e, || {
                ApiError::not_found(ErrorCode::ApiKeyNotFound, format_args!("API key {id}"))
            })
        })?;
    Ok(HttpResponse::NoContent().finish())
}
