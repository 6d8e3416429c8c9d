use std::collections::HashMap;

use actix_web::{get, patch, web, HttpRequest};
use domain::integration::{AuthMethod, PlatformKey};
use domain::paging::{Page, PageRequest};
use domain::ports::{CredentialsVerifier, IntegrationSetting, OAuthClient};
use domain::query::{self, Expr};
use domain::secrets::SecretLocation;
use domain::{FieldError, ValidationErrors};

use crate::auth::Caller;
use crate::catalogue::{ClientView, Entry, IntegrationField, IntegrationSchema};
use crate::dto::integration::{
    Branding, IntegrationBody, IntegrationListParams, IntegrationSettingsBody,
    IntegrationSettingsUpdate, Integrations,
};
use crate::dto::paging::PagingInfo;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::openapi::responses::{CreateErrors, ItemErrors, ListErrors, NotFound};
use crate::state::AppState;

/// The catalogue entry named in the path.
fn entry<'a>(state: &'a AppState, raw_key: &str) -> ApiResult<&'a Entry> {
    let key = PlatformKey::parse(raw_key).map_err(ApiError::field)?;
    state.catalogue.get(&key).ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::IntegrationNotFound,
            format_args!("Integration {key}"),
        )
    })
}

/// List integrations
///
/// Lists the platforms the client's customers can connect, with whether
/// each is enabled for this client, how it authorizes, and what a journey
/// UI should warn about. Ordered by name unless `orderBy` says otherwise.
#[utoipa::path(
    operation_id = "list-integrations",
    tag = "Integrations",
    params(IntegrationListParams),
    responses((status = 200, description = "A page of integrations.", body = Integrations), ListErrors)
)]
#[get("/integrations")]
pub async fn list_integrations(
    caller: Caller,
    state: web::Data<AppState>,
    params: web::Query<IntegrationListParams>,
    request: HttpRequest,
) -> ApiResult<web::Json<Integrations>> {
    let params = params.into_inner();
    let page = PageRequest::new(params.page, params.page_size)?;
    let filter = match params.query.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(text) => Some(query::resolve::<IntegrationSchema>(query::parse(text)?)?),
        None => None,
    };
    let order = match params.order_by.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(raw) => query::parse_order_by::<IntegrationSchema>(raw)?,
        None => query::OrderBy {
            field: IntegrationField::Name,
            descending: false,
        },
    };
    let settings: HashMap<PlatformKey, IntegrationSetting> = state
        .store
        .list_integration_settings(caller.client)
        .await?
        .into_iter()
        .map(|s| (s.platform_key.clone(), s))
        .collect();
    let mut views: Vec<ClientView> = state
        .catalogue
        .entries()
        .iter()
        .map(|entry| ClientView {
            entry,
            enabled: app::integrations::enabled(
                &entry.integration,
                settings.get(&entry.integration.key),
            ),
            readiness: app::integrations::readiness(
                &entry.integration,
                settings.get(&entry.integration.key),
            ),
        })
        .filter(|view| {
            filter
                .as_ref()
                .is_none_or(|f: &Expr<_>| query::matches(f, view))
        })
        .collect();
    sort(&mut views, &order);
    let total = views.len();
    let items: Vec<IntegrationBody> = views
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.page_size()).unwrap_or(usize::MAX))
        .map(|view| {
            IntegrationBody::new(
                view.entry,
                view.enabled,
                view.readiness,
                settings.get(&view.entry.integration.key),
                &state.public_url,
            )
        })
        .collect();
    let found = Page {
        items,
        total: u64::try_from(total).unwrap_or(u64::MAX),
        total_is_estimate: false,
        request: page,
    };
    let paging = PagingInfo::of(&found, "/integrations", request.query_string());
    Ok(web::Json(Integrations {
        results: found.items,
        paging,
    }))
}

fn sort(views: &mut [ClientView], order: &query::OrderBy<IntegrationField>) {
    let key = |view: &ClientView| -> String {
        let integration = &view.entry.integration;
        match order.field {
            IntegrationField::Key => integration.key.to_string(),
            IntegrationField::SourceType => integration.source_type.as_str().to_owned(),
            _ => integration.name.to_lowercase(),
        }
    };
    views.sort_by(|a, b| {
        let ordering = key(a)
            .cmp(&key(b))
            .then_with(|| a.entry.integration.key.cmp(&b.entry.integration.key));
        if order.descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

/// Get integration
#[utoipa::path(
    operation_id = "get-integration",
    tag = "Integrations",
    params(("platformKey" = String, Path, description = "The platform's four-letter key.", example = "gbol")),
    responses((status = 200, description = "The integration.", body = IntegrationBody), ItemErrors)
)]
#[get("/integrations/{platformKey}")]
pub async fn get_integration(
    caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> ApiResult<web::Json<IntegrationBody>> {
    let entry = entry(&state, &key)?;
    let setting = state
        .store
        .get_integration_setting(caller.client, &entry.integration.key)
        .await?;
    Ok(web::Json(IntegrationBody::new(
        entry,
        app::integrations::enabled(&entry.integration, setting.as_ref()),
        app::integrations::readiness(&entry.integration, setting.as_ref()),
        setting.as_ref(),
        &state.public_url,
    )))
}

/// Get branding for an integration
///
/// Logos and buttons for a journey UI. The images are served by this
/// service and need no authentication, so they work in an `<img>` tag.
#[utoipa::path(
    operation_id = "get-integrations-branding",
    tag = "Integrations",
    params(("platformKey" = String, Path, description = "The platform's four-letter key.", example = "gbol")),
    responses((status = 200, description = "The integration's images.", body = Branding), ItemErrors)
)]
#[get("/integrations/{platformKey}/branding")]
pub async fn get_integration_branding(
    _caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> ApiResult<web::Json<Branding>> {
    let entry = entry(&state, &key)?;
    Ok(web::Json(Branding::new(entry, &state.public_url)))
}

fn settings_body(entry: &Entry, setting: Option<&IntegrationSetting>) -> IntegrationSettingsBody {
    let oauth = setting.and_then(|s| s.oauth_client.as_ref());
    IntegrationSettingsBody {
        platform_key: entry.integration.key.to_string(),
        enabled: app::integrations::enabled(&entry.integration, setting),
        oauth_client_id: oauth.map(|o| o.client_id.clone()),
        has_oauth_client_secret: oauth.is_some(),
        credentials_verifier_url: setting
            .and_then(|s| s.verifier.as_ref())
            .map(|v| v.url.clone()),
        desktop_connector_url: setting.and_then(|s| s.connector_url.clone()),
        credentials_verifier_secret: None,
    }
}

/// The connector download page a settings update asks for: `current` when
/// left out, none for an empty string, else an https URL of a
/// DesktopConnector integration.
fn connector_update(
    entry: &Entry,
    asked: Option<String>,
    current: Option<String>,
) -> ApiResult<Option<String>> {
    let url = match asked {
        None => return Ok(current),
        Some(url) if url.is_empty() => return Ok(None),
        Some(url) => url,
    };
    let desktop = matches!(entry.integration.auth, AuthMethod::DesktopConnector);
    let https = url::Url::parse(&url).is_ok_and(|u| {
        u.scheme() == "https"
            && u.host().is_some()
            && u.username().is_empty()
            && u.password().is_none()
    });
    if !desktop || !https || url.len() > 2048 {
        return Err(ApiError::field(FieldError::new(
            "desktopConnectorUrl",
            if desktop { "Url" } else { "DesktopOnly" },
            format!(
                "desktopConnectorUrl is an https URL of at most 2048 characters, for platforms connected by a \
                 desktop connector ({} is not one, or the URL is not).",
                entry.integration.name
            ),
        )));
    }
    Ok(Some(url))
}

/// The verifier a settings update asks for, and its new secret to answer
/// once; `current` when the update leaves it out or names the same URL.
fn verifier_update(
    state: &AppState,
    client: domain::ids::ClientId,
    entry: &Entry,
    asked: Option<String>,
    current: Option<CredentialsVerifier>,
) -> ApiResult<(Option<CredentialsVerifier>, Option<String>)> {
    let url = match asked {
        None => return Ok((current, None)),
        Some(url) if url.is_empty() => return Ok((None, None)),
        Some(url) => url,
    };
    if current.as_ref().is_some_and(|v| v.url == url) {
        return Ok((current, None));
    }
    crate::verifier::check_url(entry, &url, state.webhooks_may_reach_private)?;
    let secret = app::webhooks::new_secret();
    let sealed = state
        .cipher
        .seal(
            secret.as_bytes(),
            &SecretLocation::CredentialsVerifier(client, entry.integration.key.clone()).context(),
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        Some(CredentialsVerifier {
            url,
            secret: sealed,
        }),
        Some(secret.to_string()),
    ))
}

/// Get integration settings
///
/// Whether the client's customers may use the integration, and the client's
/// OAuth application for it (the secret itself is never returned).
#[utoipa::path(
    operation_id = "get-integration-settings",
    tag = "Integrations",
    params(("platformKey" = String, Path, description = "The platform's four-letter key.", example = "gbol")),
    responses((status = 200, description = "The client's settings.", body = IntegrationSettingsBody), ItemErrors)
)]
#[get("/integrations/{platformKey}/settings")]
pub async fn get_integration_settings(
    caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> ApiResult<web::Json<IntegrationSettingsBody>> {
    let entry = entry(&state, &key)?;
    let setting = state
        .store
        .get_integration_setting(caller.client, &entry.integration.key)
        .await?;
    Ok(web::Json(settings_body(entry, setting.as_ref())))
}

/// Update integration settings
///
/// Enables or disables the integration for the client's customers, and sets
/// the client's OAuth application (id and secret together; the secret is
/// stored encrypted). Fields left out stay as they are.
#[utoipa::path(
    operation_id = "update-integration-settings",
    tag = "Integrations",
    params(("platformKey" = String, Path, description = "The platform's four-letter key.", example = "gbol")),
    request_body = IntegrationSettingsUpdate,
    responses(
        (status = 200, description = "The client's settings as updated.", body = IntegrationSettingsBody),
        (status = 404, response = NotFound),
        CreateErrors
    )
)]
#[patch("/integrations/{platformKey}/settings")]
pub async fn update_integration_settings(
    caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
    body: crate::extract::Json<IntegrationSettingsUpdate>,
) -> ApiResult<web::Json<IntegrationSettingsBody>> {
    let entry = entry(&state, &key)?;
    let key = &entry.integration.key;
    let current = state
        .store
        .get_integration_setting(caller.client, key)
        .await?;
    let body = body.into_inner();
    let oauth_client =
        match (body.oauth_client_id, body.oauth_client_secret) {
            (None, None) => current.as_ref().and_then(|s| s.oauth_client.clone()),
            (Some(id), Some(secret)) if id.is_empty() && secret.is_empty() => None,
            (Some(id), Some(secret)) => {
                check_oauth_client(entry, &id, &secret)?;
                let sealed = state
                    .cipher
                    .seal(
                        secret.as_bytes(),
                        &SecretLocation::IntegrationClient(caller.client, key.clone()).context(),
                    )
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                Some(OAuthClient {
                    client_id: id,
                    client_secret: sealed,
                })
            }
            _ => return Err(ApiError::field(FieldError::new(
                "oauthClientSecret",
                "Together",
                "Send oauthClientId and oauthClientSecret together (both empty to remove them).",
            ))),
        };
    let (verifier, new_secret) = verifier_update(
        &state,
        caller.client,
        entry,
        body.credentials_verifier_url,
        current.as_ref().and_then(|s| s.verifier.clone()),
    )?;
    let setting = IntegrationSetting {
        platform_key: key.clone(),
        enabled: body
            .enabled
            .unwrap_or_else(|| app::integrations::enabled(&entry.integration, current.as_ref())),
        oauth_client,
        verifier,
        connector_url: connector_update(
            entry,
            body.desktop_connector_url,
            current.as_ref().and_then(|s| s.connector_url.clone()),
        )?,
    };
    state
        .store
        .put_integration_setting(caller.client, &setting)
        .await?;
    Ok(web::Json(IntegrationSettingsBody {
        credentials_verifier_secret: new_secret,
        ..settings_body(entry, Some(&setting))
    }))
}

fn check_oauth_client(entry: &Entry, id: &str, secret: &str) -> ApiResult<()> {
    let mut errors = ValidationErrors::default();
    if !matches!(entry.integration.auth, AuthMethod::OAuth2(_)) {
        errors.push(FieldError::new(
            "oauthClientId",
            "OAuthOnly",
            format!(
                "{} does not use OAuth, so it takes no OAuth application.",
                entry.integration.name
            ),
        ));
    }
    for (field, value) in [("oauthClientId", id), ("oauthClientSecret", secret)] {
        if value.trim().is_empty() || value.len() > 512 {
            errors.push(FieldError::new(
                field,
                "Length",
                format!("{field} must hold 1 to 512 characters."),
            ));
        }
    }
    errors.into_result(()).map_err(ApiError::from)
}
