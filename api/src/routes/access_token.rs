use actix_web::{get, web};
use domain::ids::CompanyId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::company_token::{Claims, LIFETIME_SECONDS};
use crate::error::{ApiError, ApiResult};
use crate::openapi::responses::ItemErrors;
use crate::state::AppState;

/// A token for one company's journey UI in the browser.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"accessToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOi…", "expiresIn": 86400, "tokenType": "Bearer"}))]
pub struct CompanyAccessToken {
    /// Send it as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    pub token_type: &'static str,
}

/// Get company access token
///
/// A token a journey UI in the browser uses instead of an API key. It lasts a
/// day and opens only what a journey needs, for this company only: the
/// integrations and their branding, the link settings, the company's
/// connections (list, create, get, authorize), its consents (list, record,
/// withdraw), its journey status and its invitations. Any other endpoint
/// answers 403, another company 404.
#[utoipa::path(
    operation_id = "get-company-access-token",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "A company access token.", body = CompanyAccessToken), ItemErrors)
)]
#[get("/companies/{companyId}/accessToken")]
pub async fn get_company_access_token(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<CompanyAccessToken>> {
    company_access_token(&caller, &state, company.into_inner()).await
}

/// A company token for `company`, issued by the caller's API key.
pub async fn company_access_token(
    caller: &Caller,
    state: &AppState,
    company: Uuid,
) -> ApiResult<web::Json<CompanyAccessToken>> {
    let company = CompanyId::from(company);
    state
        .store
        .get_company(caller.client, company)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    let token = state
        .company_tokens
        .sign(&Claims {
            key: caller.api_key(),
            ..Claims::new(caller.client, company)
        })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(web::Json(CompanyAccessToken {
        access_token: token,
        expires_in: LIFETIME_SECONDS,
        token_type: "Bearer",
    }))
}
