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
/// Longest origin, in bytes.
const MAX_ORIGIN_LEN: usize = 253;

/// Origins (scheme, host and port) whose pages may call the API with a company token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"allowedOrigins": ["https://app.bankofdave.example"]}))]
pub struct AllowedOrigins {
    #[serde(default)]
    #[schema(schema_with = origins_schema)]
    pub allowed_origins: Vec<String>,
}

/// The origins a client may allow, as the spec states them.
fn origins_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    // A domain's last label holds a letter: one of digits alone makes the host an IPv4 address.
    let octet = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    let ipv4 = format!("{octet}(\\.{octet}){{3}}");
    let domain = "([A-Za-z0-9-]+\\.)*[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*";
    let port =
        "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})";
    ArrayBuilder::new()
        .description(Some(format!(
            "At most {MAX_ORIGINS} origins: `scheme://host[:port]`, without a path."
        )))
        .max_items(Some(MAX_ORIGINS))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_ORIGIN_LEN))
                .pattern(Some(format!("^https?://({ipv4}|{domain})(:{port})?$")))
                .examples(["https://app.bankofdave.example"]),
        )
        .build()
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
    if !bare || raw.len() > MAX_ORIGIN_LEN {
        return Err(invalid());
    }
    app::web_origin::web_origin(raw).ok_or_else(invalid)
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
    origins_of(&caller, &state).await
}

/// The client's allowed origins.
pub async fn origins_of(caller: &Caller, state: &AppState) -> ApiResult<web::Json<AllowedOrigins>> {
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
    body: crate::extract::Json<AllowedOrigins>,
) -> ApiResult<web::Json<AllowedOrigins>> {
    replace_origins(&caller, &state, body.into_inner()).await
}

/// Replaces the client's allowed origins, every wrong one named.
pub async fn replace_origins(
    caller: &Caller,
    state: &AppState,
    body: AllowedOrigins,
) -> ApiResult<web::Json<AllowedOrigins>> {
    let raw = body.allowed_origins;
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
