//! Codat's older paths of the company token and the CORS settings,
//! deprecated by Codat but still called by its SDKs (the only CORS methods
//! of its 4.x SDKs). Each answers as the current path does.
#![expect(
    deprecated,
    reason = "these operations are documented as deprecated; serving them is their purpose"
)]

use actix_web::{get, post, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::openapi::responses::{CreateErrors, ItemErrors, ListErrors};
use crate::routes::access_token::{company_access_token, CompanyAccessToken};
use crate::routes::cors::{origins_of, replace_origins, AllowedOrigins};
use crate::state::AppState;

/// Get access token (old)
///
/// Codat's older path of `GET /companies/{companyId}/accessToken`, with the same answer.
#[utoipa::path(
    operation_id = "get-connection-management-access-token",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "A company access token.", body = CompanyAccessToken), ItemErrors)
)]
#[deprecated = "Codat's older path of GET /companies/{companyId}/accessToken"]
#[get("/companies/{companyId}/connectionManagement/accessToken")]
pub async fn get_connection_management_access_token(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<CompanyAccessToken>> {
    company_access_token(&caller, &state, company.into_inner()).await
}

/// Get CORS settings (old)
///
/// Codat's older path of `GET /corsSettings`, with the same answer.
#[utoipa::path(
    operation_id = "get-connection-management-cors-settings",
    tag = "Settings",
    responses((status = 200, description = "The allowed origins.", body = AllowedOrigins), ListErrors)
)]
#[deprecated = "Codat's older path of GET /corsSettings"]
#[get("/connectionManagement/corsSettings")]
pub async fn get_connection_management_cors_settings(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<AllowedOrigins>> {
    origins_of(&caller, &state).await
}

/// Set CORS settings (old)
///
/// Codat's older path of `POST /corsSettings`, with the same effect and answer.
#[utoipa::path(
    operation_id = "set-connection-management-cors-settings",
    tag = "Settings",
    request_body = AllowedOrigins,
    responses((status = 200, description = "The allowed origins as stored.", body = AllowedOrigins), CreateErrors)
)]
#[deprecated = "Codat's older path of POST /corsSettings"]
#[post("/connectionManagement/corsSettings")]
pub async fn set_connection_management_cors_settings(
    caller: Caller,
    state: web::Data<AppState>,
    body: crate::extract::Json<AllowedOrigins>,
) -> ApiResult<web::Json<AllowedOrigins>> {
    replace_origins(&caller, &state, body.into_inner()).await
}

/// Serves and documents the older paths.
pub fn register(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(get_connection_management_access_token)
        .service(get_connection_management_cors_settings)
        .service(set_connection_management_cors_settings);
}
