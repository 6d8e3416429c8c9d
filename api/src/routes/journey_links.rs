//! Signed journey links: one-time, expiring, revocable addresses of a
//! company's hosted journey, made by the client's back end.

use actix_web::{delete, post, web, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use domain::ids::CompanyId;
use domain::journey_link::{self, MAX_MINUTES};
use domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::openapi::responses::{CreateErrors, ItemErrors};
use crate::state::AppState;

/// How long a new link lasts unopened.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"expiresInMinutes": 60}))]
pub struct CreateJourneyLink {
    /// 1 to 10 080 minutes (a week); a day when left out.
    #[schema(minimum = 1, maximum = 10080)]
    pub expires_in_minutes: Option<i64>,
}

/// A signed journey link.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JourneyLinkBody {
    pub id: Uuid,
    pub company_id: Uuid,
    /// The address to send the customer to. Shown only now; it opens the journey once.
    pub url: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
}

fn company_tokens_may_not(caller: &Caller) -> ApiResult<()> {
    if caller.token.is_some() {
        return Err(ApiError::new(
            ErrorCode::TokenNotAllowed,
            "Journey links are made by the client's back end, with an API key.",
        ));
    }
    Ok(())
}

/// Create journey link
///
/// A one-time address of the company's hosted journey: the first opening
/// uses it up, and that browser may come back to the journey for a day
/// (after the provider, or on a reload). Unopened, it expires after
/// `expiresInMinutes` (a day by default, a week at most). With
/// `hostedJourney.requireSignedLinks` in the link settings, only such links
/// open the journey.
#[utoipa::path(
    operation_id = "create-journey-link",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body(content = Option<CreateJourneyLink>),
    responses((status = 201, description = "The link.", body = JourneyLinkBody), (status = 404, response = crate::openapi::responses::NotFound), CreateErrors)
)]
#[post("/companies/{companyId}/links")]
pub async fn create_journey_link(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
    request: actix_web::HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    company_tokens_may_not(&caller)?;
    let body: CreateJourneyLink = crate::extract::optional_json(&request, &body)?;
    let company = CompanyId::from(company.into_inner());
    let now = Utc::now().trunc_subsecs(6);
    let expires_at = journey_link::expiry(now, body.expires_in_minutes).ok_or_else(|| {
        ApiError::field(FieldError::new(
            "expiresInMinutes",
            "Range",
            format!("expiresInMinutes is between 1 and {MAX_MINUTES} (a week)."),
        ))
    })?;
    let (link, url) = app::journey_links::mint(
        state.store.as_ref(),
        &state.public_url,
        caller.client,
        company,
        now,
        expires_at,
    )
    .await
    .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    Ok(HttpResponse::Created().json(JourneyLinkBody {
        id: link.id,
        company_id: company.as_uuid(),
        url,
        expires_at,
    }))
}

/// Revoke journey link
///
/// Ends a link at once: unopened, it no longer opens the journey; opened,
/// the browser that opened it can no longer come back. Revoking it again
/// changes nothing.
#[utoipa::path(
    operation_id = "revoke-journey-link",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("linkId" = Uuid, Path, description = "The link's id.")),
    responses((status = 204, description = "Revoked."), ItemErrors)
)]
#[delete("/companies/{companyId}/links/{linkId}")]
pub async fn revoke_journey_link(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    company_tokens_may_not(&caller)?;
    let (company, id) = path.into_inner();
    state
        .store
        .revoke_journey_link(caller.client, company.into(), id, Utc::now())
        .await
        .map_err(|e| {
            ApiError::from_repo(e, || {
                ApiError::not_found(
                    ErrorCode::JourneyLinkNotFound,
                    format_args!("Journey link {id}"),
                )
            })
        })?;
    Ok(HttpResponse::NoContent().finish())
}
