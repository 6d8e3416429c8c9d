//! Revoking a deleted company's OAuth grants at their providers.
//!
//! Deleting a company destroys the tokens Link API holds, but a grant lives
//! on at the provider until it expires. The store hands back the tokens the
//! company's connections held at the moment of deletion, and each is then
//! revoked (RFC 7009) where the integration has a revocation endpoint. This
//! is best effort: a provider that fails or is slow does not undo the
//! deletion. Every attempt is recorded as a `connection.revocation` event,
//! which outlives the company.

use std::time::Duration;

use app::oauth::RevokeRequest;
use app::secrets::{open_tokens, StoredTokens};
use chrono::{SubsecRound, Utc};
use domain::connection::Connection;
use domain::integration::AuthMethod;
use domain::ports::DeletedCompany;
use domain::webhook::{tag_list, Event};
use futures_util::future::join_all;
use serde::Serialize;

use crate::events::ReferenceCompany;
use crate::state::AppState;

/// The event type that records a revocation attempt.
pub const EVENT_TYPE: &str = "connection.revocation";

/// How long one provider may take to answer a revocation.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A connection's grant, as it was when its company was deleted.
struct Held {
    connection: Connection,
    tokens: Result<Option<StoredTokens>, String>,
}

/// What became of a grant at its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The provider confirmed the revocation.
    Revoked,
    /// The integration offers no revocation (or no OAuth application is
    /// registered for it); the grant expires at the provider on its own.
    NotSupported,
    /// The provider could not be reached or refused; the grant may live on
    /// until it expires.
    Failed,
}

/// The `revocation` of a `connection.revocation` event's payload.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    pub outcome: Outcome,
    /// Why, when it was not revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Revokes the deleted company's grants at their providers, all at once,
/// and records each attempt.
pub async fn revoke_all(state: &AppState, deleted: DeletedCompany) {
    let company = &deleted.company;
    let held: Vec<Held> = deleted
        .oauth_grants
        .into_iter()
        .map(|(connection, secret)| Held {
            tokens: open_tokens(&state.cipher, connection.id, &secret).map_err(|e| e.to_string()),
            connection,
        })
        .collect();
    let attempts = held
        .iter()
        .map(|h| async move { (h, revoke(state, h).await) });
    for (held, revocation) in join_all(attempts).await {
        tracing::info!(
            connection = %held.connection.id,
            platform = %held.connection.platform_key,
            outcome = ?revocation.outcome,
            detail = revocation.detail.as_deref().unwrap_or_default(),
            "grant revocation at the provider after company deletion"
        );
        let payload = serde_json::json!({
            "referenceCompany": ReferenceCompany::from(company),
            "connection": state.connection_body(held.connection.clone()),
            "revocation": revocation,
        });
        let event = Event {
            id: uuid::Uuid::now_v7(),
            client_id: company.client_id,
            company_id: Some(company.id),
            event_type: EVENT_TYPE.into(),
            generated: Utc::now().trunc_subsecs(6),
            company_tags: tag_list(&company.fields.tags),
            payload: payload.to_string(),
            correlation_id: crate::correlation::in_request(),
        };
        if let Err(error) = state.store.add_event(&event).await {
            tracing::warn!(connection = %held.connection.id, %error, "could not record a revocation");
        }
    }
}

async fn revoke(state: &AppState, held: &Held) -> Revocation {
    let connection = &held.connection;
    let not = |outcome, detail: &str| Revocation {
        outcome,
        detail: Some(detail.to_owned()),
    };
    let oauth = match state
        .catalogue
        .get(&connection.platform_key)
        .map(|e| &e.integration.auth)
    {
        Some(AuthMethod::OAuth2(oauth)) => oauth,
        _ => return not(Outcome::NotSupported, "The integration does not use OAuth."),
    };
    let Some(revoke_url) = &oauth.revoke_url else {
        return not(
            Outcome::NotSupported,
            "The integration offers no token revocation.",
        );
    };
    let tokens = match &held.tokens {
        Ok(Some(tokens)) => tokens,
        Ok(None) => return not(Outcome::NotSupported, "No token is held."),
        Err(error) => return not(Outcome::Failed, error),
    };
    let (token, token_type_hint) = match (&tokens.refresh_token, &tokens.access_token) {
        (Some(refresh), _) => (refresh, "refresh_token"),
        (None, Some(access)) => (access, "access_token"),
        (None, None) => return not(Outcome::NotSupported, "No token is held."),
    };
    let (client_id, client_secret) = match app::secrets::oauth_application(
        state.store.as_ref(),
        &state.cipher,
        connection,
    )
    .await
    {
        Ok(Some(client)) => client,
        Ok(None) => {
            return not(
                Outcome::NotSupported,
                "No OAuth application is registered for the integration.",
            )
        }
        Err(error) => return not(Outcome::Failed, &error.to_string()),
    };
    let request = RevokeRequest {
        revoke_url,
        client_auth: oauth.client_auth,
        client_id: &client_id,
        client_secret: &client_secret,
        token,
        token_type_hint,
    };
    let endpoint = state.token_endpoint(&connection.platform_key);
    match tokio::time::timeout(TIMEOUT, endpoint.revoke(request)).await {
        Ok(Ok(())) => Revocation {
            outcome: Outcome::Revoked,
            detail: None,
        },
        Ok(Err(error)) => not(Outcome::Failed, &error.to_string()),
        Err(_) => not(Outcome::Failed, "The provider did not answer in time."),
    }
}
