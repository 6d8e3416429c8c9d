//! The OAuth 2.0 client side: PKCE, state values, and the token endpoint
//! port (requests, refreshes, revocations), implemented over HTTP by `api`
//! and in process by the Sandbox provider.

use std::time::Duration;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::integration::ClientAuthMethod;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How long a token request may take.
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(15);

/// A random, URL-safe value of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The S256 PKCE challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The stored form of a state value: only its hash is kept.
pub fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// What is asked of a token endpoint.
pub enum Grant<'a> {
    AuthorizationCode {
        code: &'a str,
        redirect_uri: &'a str,
        code_verifier: &'a str,
    },
    RefreshToken {
        refresh_token: &'a str,
    },
}

/// A token request to one provider.
pub struct TokenRequest<'a> {
    pub token_url: &'a str,
    pub client_auth: ClientAuthMethod,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub grant: Grant<'a>,
}

/// The tokens a provider granted.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<u64>,
}

/// Why a token request failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The provider refused the grant (`invalid_grant`): the grant is gone.
    #[error("the provider refused the grant")]
    InvalidGrant,
    #[error("the provider answered {0}")]
    Refused(u16),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider's answer was not a token response")]
    Malformed,
}

/// A request to revoke a token (RFC 7009), and with it the grant behind it.
pub struct RevokeRequest<'a> {
    pub revoke_url: &'a str,
    pub client_auth: ClientAuthMethod,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub token: &'a str,
    /// `refresh_token` or `access_token`.
    pub token_type_hint: &'static str,
}

/// Where token requests go.
#[async_trait]
pub trait TokenEndpoint: Send + Sync {
    async fn request(&self, request: TokenRequest<'_>) -> Result<Tokens, TokenError>;

    /// Revokes a token; a token the provider no longer knows counts as revoked.
    async fn revoke(&self, request: RevokeRequest<'_>) -> Result<(), TokenError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_the_rfc_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_tokens_are_url_safe_and_distinct() {
        let (a, b) = (random_token(32), random_token(32));

        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, b);
    }
}
