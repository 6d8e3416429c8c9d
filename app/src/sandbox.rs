//! The built-in Sandbox OAuth provider (`mqjo`): an authorize page with
//! Approve and Deny, a token endpoint with short-lived access tokens and
//! rotating refresh tokens, and revocation, so a whole journey runs locally.
//! Its records live in the store, so any replica can serve any step.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use domain::ports::{SandboxCode, Store};

use crate::oauth::{self, Grant, RevokeRequest, TokenEndpoint, TokenError, TokenRequest, Tokens};

/// The Sandbox's platform key.
pub const PLATFORM_KEY: &str = "mqjo";
/// The OAuth application Link API uses with its own Sandbox.
pub const CLIENT_ID: &str = "link-api-sandbox";
/// That application's secret. The Sandbox grants nothing real, so it need not be secret.
pub const CLIENT_SECRET: &str = "link-api-sandbox-secret";
/// Lifetime of the Sandbox's access tokens: short, so refreshing shows up quickly.
pub const ACCESS_TOKEN_SECONDS: u64 = 300;
/// Lifetime of an authorization code.
const CODE_SECONDS: i64 = 60;

/// The Sandbox's token endpoint, called in process.
pub struct SandboxProvider {
    store: Arc<dyn Store>,
}

impl SandboxProvider {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Issues a code for an approved authorization request.
    /// A second code for the same authorization is `InvalidGrant`.
    pub async fn issue_code(
        &self,
        redirect_uri: &str,
        state_hash: &str,
        code_challenge: &str,
    ) -> Result<String, TokenError> {
        let code = oauth::random_token(32);
        let saved = SandboxCode {
            grant: uuid::Uuid::now_v7(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: code_challenge.to_owned(),
            expires_at: Utc::now() + Duration::seconds(CODE_SECONDS),
        };
        self.store
            .save_sandbox_code(&oauth::state_hash(&code), state_hash, &saved)
            .await
            .map_err(|e| match e {
                domain::ports::RepoError::Conflict(_) => TokenError::InvalidGrant,
                other => unreachable(other),
            })?;
        Ok(code)
    }

    /// Revokes the grant behind a refresh token.
    pub async fn revoke_grant(&self, refresh_token: &str) -> Result<bool, TokenError> {
        self.store
            .revoke_sandbox_grant(&oauth::state_hash(refresh_token))
            .await
            .map_err(unreachable)
    }
}

fn unreachable(error: domain::ports::RepoError) -> TokenError {
    TokenError::Unreachable(error.to_string())
}

fn tokens(refresh_token: String) -> Tokens {
    Tokens {
        access_token: format!("sandbox-access-{}", oauth::random_token(24)),
        refresh_token: Some(refresh_token),
        expires_in: Some(ACCESS_TOKEN_SECONDS),
    }
}

#[async_trait]
impl TokenEndpoint for SandboxProvider {
    async fn request(&self, request: TokenRequest<'_>) -> Result<Tokens, TokenError> {
        check_client(request.client_id, request.client_secret)?;
        let refresh_token = format!("sandbox-refresh-{}", oauth::random_token(32));
        let refresh_hash = oauth::state_hash(&refresh_token);
        match request.grant {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                let saved = self
                    .store
                    .consume_sandbox_code(&oauth::state_hash(code))
                    .await
                    .map_err(unreachable)?
                    .ok_or(TokenError::InvalidGrant)?;
                if saved.redirect_uri != redirect_uri
                    || saved.code_challenge != oauth::pkce_challenge(code_verifier)
                {
                    return Err(TokenError::InvalidGrant);
                }
                if !self
                    .store
                    .start_sandbox_grant(saved.grant, &refresh_hash)
                    .await
                    .map_err(unreachable)?
                {
                    return Err(TokenError::InvalidGrant);
                }
            }
            Grant::RefreshToken { refresh_token: old } => {
                let rotated = self
                    .store
                    .rotate_sandbox_refresh(&oauth::state_hash(old), &refresh_hash)
                    .await
                    .map_err(unreachable)?;
                if !rotated {
                    return Err(TokenError::InvalidGrant);
                }
            }
        }
        Ok(tokens(refresh_token))
    }

    /// Revokes the grant behind a refresh token. Access tokens are not kept,
    /// so revoking one alone changes nothing, as RFC 7009 allows.
    async fn revoke(&self, request: RevokeRequest<'_>) -> Result<(), TokenError> {
        check_client(request.client_id, request.client_secret)?;
        if request.token_type_hint == "refresh_token" {
            self.revoke_grant(request.token).await?;
        }
        Ok(())
    }
}

fn check_client(client_id: &str, client_secret: &str) -> Result<(), TokenError> {
    if client_id == CLIENT_ID && client_secret == CLIENT_SECRET {
        Ok(())
    } else {
        Err(TokenError::Refused(401))
    }
}
