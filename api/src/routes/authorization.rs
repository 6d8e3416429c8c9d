//! `PUT …/authorization`: credentials typed by the customer, or OAuth tokens
//! imported by the client. Values are validated against the integration,
//! encrypted before they reach the store, and never echoed.

use std::collections::BTreeMap;

use actix_web::{put, web};
use domain::authorization::{self, Authorization};
use domain::connection::{Cause, ConnectionStatus};
use domain::ids::ConnectionId;
use domain::integration::AuthMethod;
use domain::ports::SecretChange;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::connection::ConnectionBody;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::openapi::responses::{Conflict, ItemWriteErrors};
use crate::state::AppState;
use app::connections::{self, Change};

/// Update authorization
///
/// Authorizes a connection with the values of its integration's credential
/// form (see `credentialFields` on the integration), or, for OAuth platforms,
/// with imported tokens (`accessToken`, optional `refreshToken` and
/// `expiresIn` in seconds). Every invalid field is listed in
/// `validation.errors`. The values are stored encrypted and never returned.
/// A `PendingAuth` connection becomes `Linked`; an `Unlinked` or
/// `Deauthorized` one is linked again; a `Linked` one gets its new values.
///
/// While the client's link settings require consent (the default), a
/// connection is linked only if the company has an active consent for its
/// category (accounting, banking or commerce); otherwise the answer is 403.
/// Importing OAuth tokens takes an API key: with a company token it is a
/// 403 (the customer authorizes at the `linkUrl`). A connection of an
/// integration the client has since disabled cannot be authorized (409).
#[utoipa::path(
    operation_id = "update-connection-authorization",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("connectionId" = Uuid, Path, description = "The connection's id.")),
    request_body(content = BTreeMap<String, String>, example = json!({"apiKey": "rk_live_51Habc1234567890"})),
    responses(
        (status = 200, description = "The connection, authorized.", body = ConnectionBody),
        (status = 409, response = Conflict),
        ItemWriteErrors
    )
)]
#[put("/companies/{companyId}/connections/{connectionId}/authorization")]
pub async fn update_authorization(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<BTreeMap<String, String>>,
) -> ApiResult<web::Json<ConnectionBody>> {
    let (company, id) = path.into_inner();
    let (company, id) = (company.into(), ConnectionId::from(id));
    let current = connections::load(state.store.as_ref(), caller.client, company, id).await?;
    caller.require_category(current.source_type.category())?;
    let entry = state.catalogue.get(&current.platform_key).ok_or_else(|| {
        ApiError::Internal(format!(
            "integration {} left the catalogue",
            current.platform_key
        ))
    })?;
    if !crate::routes::integrations::enabled_for(&state, caller.client, entry).await? {
        return Err(ApiError::new(
            ErrorCode::IntegrationDisabled,
            format!(
                "{} is disabled for your customers, so its connections cannot be authorized; \
             enable it in /integrations/{}/settings.",
                entry.integration.name, entry.integration.key
            ),
        ));
    }
    if matches!(entry.integration.auth, AuthMethod::OAuth2(_)) && caller.token.is_some() {
        return Err(ApiError::new(
            ErrorCode::OAuthImportRequiresApiKey,
            format!(
                "{} authorizes with OAuth: send the customer to the connection's linkUrl. \
             Importing OAuth tokens takes an API key.",
                entry.integration.name
            ),
        ));
    }
    if entry.integration.import_only && caller.token.is_some() {
        return Err(ApiError::new(
            ErrorCode::CredentialsImportRequiresApiKey,
            format!(
                "{}'s credential is obtained by the client's back end, which imports it with an API key; \
                 a customer is never asked for it.",
                entry.integration.name
            ),
        ));
    }
    let authorization = authorization::validate(&entry.integration.auth, body.into_inner())?;
    if let Authorization::Credentials(typed) = &authorization {
        let setting = state
            .store
            .get_integration_setting(caller.client, &entry.integration.key)
            .await?;
        if let Some(verifier) = setting.and_then(|s| s.verifier) {
            match crate::verifier::verify(&state, &current, entry, &verifier, typed).await? {
                crate::verifier::Verdict::Accepted => {}
                refused => return Err(crate::verifier::refusal(refused, &entry.integration.name)),
            }
        }
    }
    let secret = app::secrets::seal_authorization(&state.cipher, id, authorization)?;
    let connection = if current.status == ConnectionStatus::Linked {
        state
            .store
            .replace_connection_secret(caller.client, company, id, secret)
            .await
            .map_err(|e| connections::in_connection(e, id))?;
        connections::load(state.store.as_ref(), caller.client, company, id).await?
    } else {
        let change = Change {
            secret: SecretChange::Put(secret),
            consent_for: connections::consent_needed(state.settings(), &current).await?,
            ..Change::new(Cause::Authorized, caller.actor)
        };
        connections::apply(
            state.store.as_ref(),
            state.settings(),
            (caller.client, company, id),
            change,
        )
        .await?
        .ok_or(app::AppError::ConnectionNotFound(id))?
    };
    Ok(web::Json(state.connection_body(connection)))
}
