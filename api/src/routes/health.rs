use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::openapi::responses::Unavailable;
use crate::state::AppState;

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness
///
/// Answers as long as the process serves requests. Needs no API key.
#[utoipa::path(
    operation_id = "healthz",
    tag = "Health",
    security(()),
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness
///
/// Answers 200 when the store is reachable, 503 otherwise. Needs no API key.
#[utoipa::path(
    operation_id = "readyz",
    tag = "Health",
    security(()),
    responses(
        (status = 200, description = "The store is reachable.", body = Health),
        (status = 503, response = Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    state.store.ping().await?;
    Ok(web::Json(Health { status: "ok" }))
}
