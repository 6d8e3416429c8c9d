//! Revoking a deleted company's OAuth grants at their providers.
//!
//! Deleting a company destroys the tokens Link API holds, but a grant lives
//! on at the provider until it expires. The store hands back the tokens the
//! company's connections held at the moment of deletion, and each is then
//! revoked (RFC 7009) where the integration has a revocation endpoint. This
//! is best effort: a provider that fails or is slow does not undo the
//! deletion; the caller records each attempt.

use std::time::Duration;

use domain::connection::Connection;
use domain::integration::AuthMethod;
use domain::ports::{DeletedCompany, IntegrationSettingsRepository};
use futures_util::future::join_all;
use serde::Serialize;

use crate::oauth::RevokeRequest;
use crate::ports::Providers;
use crate::secrets::{open_tokens, Cipher, StoredTokens};

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

/// Revokes the deleted company's grants at their providers, all at once;
/// gives each connection with what became of its grant.
pub async fn revoke_all<S>(
    store: &S,
    providers: &dyn Providers,
    cipher: &Cipher,
    deleted: DeletedCompany,
) -> Vec<(Connection, Revocation)>
where
    S: IntegrationSettingsRepository + ?Sized,
{
    let held: Vec<Held> = deleted
        .oauth_grants
        .into_iter()
        .map(|(connection, secret)| Held {
            tokens: open_tokens(cipher, connection.id, &secret).map_err(|e| e.to_string()),
            connection,
        })
        .collect();
    let attempts = held.into_iter().map(|held| async move {
        let revocation = revoke(store, providers, cipher, &held).await;
        (held.connection.clone(), revocation)
    });
    join_all(attempts).await
}

async fn revoke<S>(store: &S, providers: &dyn Providers, cipher: &Cipher, held: &Held) -> Revocation
where
    S: IntegrationSettingsRepository + ?Sized,
{
    let connection = &held.connection;
    let not = |outcome, detail: &str| Revocation {
        outcome,
        detail: Some(detail.to_owned()),
    };
    let oauth = match providers
        .integration(&connection.platform_key)
        .map(|i| &i.auth)
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
    let (client_id, client_secret) =
        match crate::secrets::oauth_application(store, cipher, connection).await {
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
    let endpoint = providers.token_endpoint(&connection.platform_key);
    match tokio::time::timeout(TIMEOUT, endpoint.revoke(request)).await {
        Ok(Ok(())) => Revocation {
            outcome: Outcome::Revoked,
            detail: None,
        },
        Ok(Err(error)) => not(Outcome::Failed, &error.to_string()),
        Err(_) => not(Outcome::Failed, "The provider did not answer in time."),
    }
}
