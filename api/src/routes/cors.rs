use actix_web::{get, post, web};
use domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::openapi::responses::{CreateErrors, ListErrors};
use crate::state::AppState;

/// Most origins a client may allow.
const MAX_ORIGINS: usize = 50;

/// Origins (scheme, host and port) whose pages may call the API with a company token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"allowedOrigins": ["https://app.bankofdave.example"]}))]
pub struct AllowedOrigins {
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

/// An origin as browsers send it: `scheme://host[:port]`, lower case, no path.
fn normalise_origin(raw: &str) -> Result<String, FieldError> {
    let invalid = || {
        FieldError::new(
            "allowedOrigins",
            "Origin",
            format!("`{raw}` is not an origin such as https://app.example.com (scheme, host and port only)."),
        )
    };
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid())?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !bare
        || raw.len() > 253
    {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}

/// Get CORS settings
#[utoipa::path(
    operation_id = "get-cors-settings",
    tag = "Settings",
    responses((status = 200, description = "The allowed origins.", body = AllowedOrigins), ListErrors)
)]
#[get("/corsSettings")]
pub async fn get_cors_settings(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<AllowedOrigins>> {
    Ok(web::Json(AllowedOrigins {
        allowed_origins: state.store.cors_origins(caller.client).await?,
    }))
}

/// Set CORS settings
///
/// Replaces the origins whose pages may call the API with a company token.
/// Browsers on other origins are refused, preflight included.
#[utoipa::path(
    operation_id = "set-cors-settings",
    tag = "Settings",
    request_body = AllowedOrigins,
    responses((status = 200, description = "The allowed origins as stored.", body = AllowedOrigins), CreateErrors)
)]
#[post("/corsSettings")]
pub async fn set_cors_settings(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<AllowedOrigins>,
) -> ApiResult<web::Json<AllowedOrigins>> {
    let raw = body.into_inner().allowed_origins;
    let mut errors = ValidationErrors::default();
    if raw.len() > MAX_ORIGINS {
        errors.push(FieldError::new(
            "allowedOrigins",
            "MaxItems",
            format!("At most {MAX_ORIGINS} origins."),
        ));
    }
    let mut origins: Vec<String> = raw
        .iter()
        .filter_map(|o| errors.collect(normalise_origin(o)))
        .collect();
    errors.into_result(())?;
    origins.sort();
    origins.dedup();
    state
        .store
        .put_cors_origins(caller.client, &origins)
        .await?;
    Ok(web::Json(AllowedOrigins {
        allowed_origins: origins,
    }))
}
