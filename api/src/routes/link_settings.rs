use actix_web::{get, put, web};
use chrono::{DateTime, Utc};
use domain::integration::PlatformKey;
use domain::link_settings::LinkSettings;
use domain::ports::RepoError;

use crate::auth::Caller;
use crate::dto::link_settings::{LinkSettingsBody, LinkSettingsDocument};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::openapi::responses::{Conflict, CreateErrors, ItemErrors};
use crate::state::AppState;

/// The client's settings at `version` (newest when `None`) with when that
/// version was made (`None` for the defaults), reading the stored version once.
async fn load(
    state: &AppState,
    client: domain::ids::ClientId,
    version: Option<i64>,
) -> ApiResult<Option<(LinkSettings, Option<DateTime<Utc>>)>> {
    let stored = match version {
        Some(0) => None,
        Some(version) => match state.store.link_settings_version(client, version).await? {
            Some(stored) => Some(stored),
            None => return Ok(None),
        },
        None => state.store.latest_link_settings(client).await?,
    };
    let Some(stored) = stored else {
        return Ok(Some((LinkSettings::defaults(), None)));
    };
    let created = stored.created;
    let settings = LinkSettingsDocument::parse_stored(&stored).map_err(ApiError::Internal)?;
    Ok(Some((settings, Some(created))))
}

/// The client's settings at `version` (newest when `None`), as the domain sees them.
pub async fn settings_of(
    state: &AppState,
    client: domain::ids::ClientId,
    version: Option<i64>,
) -> ApiResult<Option<LinkSettings>> {
    Ok(load(state, client, version)
        .await?
        .map(|(settings, _)| settings))
}

async fn body(
    state: &AppState,
    client: domain::ids::ClientId,
    version: Option<i64>,
) -> ApiResult<Option<LinkSettingsBody>> {
    Ok(load(state, client, version)
        .await?
        .map(|(settings, created)| LinkSettingsBody {
            version: settings.version,
            created,
            settings: LinkSettingsDocument::from_domain(&settings),
        }))
}

/// Get link settings
///
/// The newest link settings: per category whether it is required, which
/// integrations are offered, which data types are shown, and the consent texts;
/// plus the terms URL and whether consent is required before linking.
/// Version 0 means the defaults. A company token may read them.
#[utoipa::path(
    operation_id = "get-link-settings",
    tag = "Link settings",
    responses((status = 200, description = "The newest link settings.", body = LinkSettingsBody), ItemErrors)
)]
#[get("/linkSettings")]
pub async fn get_link_settings(
    caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<LinkSettingsBody>> {
    let found = body(&state, caller.client, None).await?;
    found
        .map(web::Json)
        .ok_or_else(|| ApiError::Internal("the newest link settings went missing".into()))
}

/// Get a version of the link settings
///
/// Any earlier version stays readable, so every consent can be shown with the texts it was given against.
#[utoipa::path(
    operation_id = "get-link-settings-version",
    tag = "Link settings",
    params(("version" = i64, Path, description = "The version; 0 for the defaults.")),
    responses((status = 200, description = "That version.", body = LinkSettingsBody), ItemErrors)
)]
#[get("/linkSettings/versions/{version}")]
pub async fn get_link_settings_version(
    caller: Caller,
    state: web::Data<AppState>,
    version: web::Path<i64>,
) -> ApiResult<web::Json<LinkSettingsBody>> {
    let version = version.into_inner();
    body(&state, caller.client, Some(version))
        .await?
        .map(web::Json)
        .ok_or_else(|| {
            ApiError::not_found(
                ErrorCode::LinkSettingsVersionNotFound,
                format_args!("Link settings version {version}"),
            )
        })
}

/// Update link settings
///
/// Replaces the link settings with a new version; the old ones stay readable.
/// A category left out takes its default.
#[utoipa::path(
    operation_id = "update-link-settings",
    tag = "Link settings",
    request_body = LinkSettingsDocument,
    responses(
        (status = 200, description = "The new version.", body = LinkSettingsBody),
        (status = 409, response = Conflict),
        CreateErrors
    )
)]
#[put("/linkSettings")]
pub async fn update_link_settings(
    caller: Caller,
    state: web::Data<AppState>,
    document: crate::extract::Json<LinkSettingsDocument>,
) -> ApiResult<web::Json<LinkSettingsBody>> {
    let before = crate::client_settings::link_settings(state.store.as_ref(), caller.client).await?;
    let settings = document.into_inner().into_domain(before.version + 1);
    let mut errors = settings
        .validate(|category, key| {
            PlatformKey::parse(key)
                .ok()
                .and_then(|k| state.catalogue.get(&k))
                .is_some_and(|entry| entry.integration.source_type.category() == Some(category))
        })
        .err()
        .unwrap_or_default();
    if state.mailer.is_none() {
        let asked = [
            ("emailInvitations", settings.email_invitations),
            ("reminders.sendEmails", settings.reminders.send_emails),
        ];
        for (field, _) in asked.into_iter().filter(|(_, on)| *on) {
            errors.push(domain::FieldError::new(
                field,
                "NotConfigured",
                "This Link API sends no email: set LINK_SMTP_URL and LINK_SMTP_FROM first.",
            ));
        }
    }
    errors.into_result(())?;
    let document = LinkSettingsDocument::from_domain(&settings);
    let text = serde_json::to_string(&document).map_err(|e| ApiError::Internal(e.to_string()))?;
    let stored = state
        .store
        .add_link_settings(caller.client, settings.version, &text)
        .await
        .map_err(|e| match e {
            RepoError::Conflict(_) => ApiError::new(
                ErrorCode::ConcurrentChange,
                "The link settings changed meanwhile; read them again and retry.",
            ),
            other => other.into(),
        })?;
    if app::reminders::reschedule_needed(&before, &settings) {
        state
            .store
            .reschedule_reminders(caller.client, chrono::Utc::now())
            .await?;
    }
    Ok(web::Json(LinkSettingsBody {
        version: stored.version,
        created: Some(stored.created),
        settings: document,
    }))
}
