//! `PUT …/authorization`: credentials typed by the customer, or OAuth tokens
//! imported by the client. Values are validated against the integration,
//! encrypted before they reach the store, and never echoed.

use std::collections::BTreeMap;

use actix_web::{put, web};
use chrono::{DateTime, Duration, Utc};
use domain::authorization::{self, Authorization};
use domain::connection::{Cause, ConnectionStatus};
use domain::ids::ConnectionId;
use domain::integration::AuthMethod;
use domain::ports::{ConnectionSecret, SecretChange, SecretKind};
use domain::secrets::SecretLocation;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::auth::Caller;
use crate::dto::connection::ConnectionBody;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::oauth::Tokens;
use crate::openapi::responses::{Conflict, ItemWriteErrors};
use crate::state::AppState;
use crate::transitions::{self, connection_not_found, write_error, Change};

/// Encrypts a secret document for a connection.
fn seal_document(
    state: &AppState,
    id: ConnectionId,
    kind: SecretKind,
    document: &serde_json::Value,
    access_expires_at: Option<DateTime<Utc>>,
) -> ApiResult<ConnectionSecret> {
    let plaintext = Zeroizing::new(
        serde_json::to_vec(document).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    let sealed = state
        .cipher
        .seal(&plaintext, &SecretLocation::Connection(id).context())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ConnectionSecret {
        kind,
        sealed,
        access_expires_at,
    })
}

/// A connection's OAuth tokens, opened. Wiped from memory when dropped.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
}

impl Drop for StoredTokens {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
        self.refresh_token.zeroize();
    }
}

/// The OAuth tokens the connection holds, if it holds any.
pub async fn stored_tokens(
    state: &AppState,
    connection: &domain::connection::Connection,
) -> ApiResult<Option<StoredTokens>> {
    let (client, company, id) = (connection.client_id, connection.company_id, connection.id);
    match state
        .store
        .get_connection_secret(client, company, id)
        .await?
    {
        Some(secret) => open_tokens(state, id, &secret),
        None => Ok(None),
    }
}

/// Opens a connection's secret if it holds OAuth tokens.
pub fn open_tokens(
    state: &AppState,
    id: ConnectionId,
    secret: &ConnectionSecret,
) -> ApiResult<Option<StoredTokens>> {
    if secret.kind != SecretKind::OAuthTokens {
        return Ok(None);
    }
    let plaintext = state
        .cipher
        .open(&secret.sealed, &SecretLocation::Connection(id).context())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    serde_json::from_slice(&plaintext)
        .map(Some)
        .map_err(|e| ApiError::Internal(format!("stored tokens: {e}")))
}

/// Encrypts OAuth tokens for a connection, however they were obtained.
pub fn seal_tokens(
    state: &AppState,
    id: ConnectionId,
    tokens: &Tokens,
) -> ApiResult<ConnectionSecret> {
    let expires_at = tokens
        .expires_in
        .and_then(|s| i64::try_from(s).ok())
        .map(|s| Utc::now() + Duration::seconds(s));
    let document = serde_json::json!({
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "expiresAt": expires_at,
    });
    seal_document(state, id, SecretKind::OAuthTokens, &document, expires_at)
}

/// Encrypts validated authorization material.
fn seal(
    state: &AppState,
    id: ConnectionId,
    authorization: Authorization,
) -> ApiResult<ConnectionSecret> {
    match authorization {
        Authorization::Credentials(values) => seal_document(
            state,
            id,
            SecretKind::Credentials,
            &serde_json::json!(values),
            None,
        ),
        Authorization::Tokens(imported) => {
            let tokens = Tokens {
                access_token: imported.access_token,
                refresh_token: imported.refresh_token,
                expires_in: imported.expires_in,
            };
            seal_tokens(state, id, &tokens)
        }
    }
}

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
    let current = crate::transitions::load(&state, caller.client, company, id).await?;
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
    let secret = seal(&state, id, authorization)?;
    let connection = if current.status == ConnectionStatus::Linked {
        state
            .store
            .replace_connection_secret(caller.client, company, id, secret)
            .await
            .map_err(write_error(id))?;
        crate::transitions::load(&state, caller.client, company, id).await?
    } else {
        let change = Change {
            secret: SecretChange::Put(secret),
            consent_for: transitions::consent_needed(&state, &current).await?,
            ..Change::new(Cause::Authorized, caller.actor)
        };
        transitions::apply(&state, caller.client, company, id, change)
            .await?
            .ok_or_else(connection_not_found(id))?
    };
    Ok(web::Json(state.connection_body(connection)))
}
