use actix_web::{get, put, web};
use domain::profile::Profile;

use crate::auth::Caller;
use crate::dto::profile::ProfileBody;
use crate::error::ApiResult;
use crate::openapi::responses::{CreateErrors, ItemErrors};
use crate::state::AppState;

/// Get profile
#[utoipa::path(
    operation_id = "get-profile",
    tag = "Settings",
    responses((status = 200, description = "The client's profile.", body = ProfileBody), ItemErrors)
)]
#[get("/profile")]
pub async fn get_profile(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<ProfileBody>> {
    Ok(web::Json(
        app::clients::profile(state.store.as_ref(), caller.client)
            .await?
            .into(),
    ))
}

/// Update profile
///
/// Replaces the whole profile: send every field.
#[utoipa::path(
    operation_id = "update-profile",
    tag = "Settings",
    request_body = ProfileBody,
    responses((status = 200, description = "The profile as stored.", body = ProfileBody), CreateErrors)
)]
#[put("/profile")]
pub async fn update_profile(
    caller: Caller,
    state: web::Data<AppState>,
    body: crate::extract::Json<ProfileBody>,
) -> ApiResult<web::Json<ProfileBody>> {
    let body = body.into_inner();
    let profile = Profile::parse(
        body.name.as_deref(),
        body.redirect_url.as_deref(),
        body.logo_url.as_deref(),
        body.icon_url.as_deref(),
        body.white_list_urls,
    )?;
    state.store.put_profile(caller.client, &profile).await?;
    Ok(web::Json(profile.into()))
}
