//! OAuth authorizations in flight, and the built-in Sandbox provider's records.

use async_trait::async_trait;

use crate::connection::Connection;
use crate::ids::{ClientId, CompanyId, ConnectionId};
use crate::secrets::SealedSecret;

use super::error::RepoError;

/// One OAuth authorization attempt, kept until the provider calls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    pub client: ClientId,
    pub company: CompanyId,
    pub connection: ConnectionId,
    /// The PKCE code verifier, encrypted.
    pub verifier: SealedSecret,
    /// Custom `{name}` values from the Link URL's query string, for the final redirect.
    pub redirect_params: std::collections::BTreeMap<String, String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What consuming a state found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consumed {
    /// First use within its lifetime: now used up.
    Fresh(OAuthState),
    /// Used before.
    Replayed(OAuthState),
    /// Past its lifetime.
    Expired(OAuthState),
    Unknown,
}

#[async_trait]
pub trait OAuthStateRepository: Send + Sync {
    /// Keeps a new state under the hash of its value.
    async fn save_oauth_state(&self, state_hash: &str, state: &OAuthState)
        -> Result<(), RepoError>;

    /// Uses a state up: only one caller ever gets `Fresh` for a given hash.
    async fn consume_oauth_state(&self, state_hash: &str) -> Result<Consumed, RepoError>;

    /// A state that is neither used nor past its lifetime, without using it.
    async fn find_usable_oauth_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<OAuthState>, RepoError>;

    /// Deletes states that expired before `expired_before`; how many.
    async fn purge_oauth_states(
        &self,
        expired_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, RepoError>;

    /// A connection found by its company and id alone, for the customer's
    /// public Link URL (which carries no API key).
    async fn find_connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Connection, RepoError>;
}

/// An authorization code the built-in Sandbox provider issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCode {
    /// The grant the code starts.
    pub grant: uuid::Uuid,
    pub redirect_uri: String,
    /// The PKCE S256 challenge the code is bound to.
    pub code_challenge: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The Sandbox provider's records. Codes and tokens are stored as hashes.
#[async_trait]
pub trait SandboxRepository: Send + Sync {
    /// Keeps a new code, issued for the authorization whose state hashes to
    /// `state_hash`, and opens its grant. A second code for the same state is
    /// a `Conflict`.
    async fn save_sandbox_code(
        &self,
        code_hash: &str,
        state_hash: &str,
        code: &SandboxCode,
    ) -> Result<(), RepoError>;

    /// Deletes codes that expired before `expired_before`, used or not; how many.
    async fn purge_sandbox_codes(
        &self,
        expired_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, RepoError>;

    /// Uses a code up; `None` if unknown, used or expired.
    async fn consume_sandbox_code(&self, code_hash: &str)
        -> Result<Option<SandboxCode>, RepoError>;

    /// Gives a live grant its first refresh token; `false` if revoked.
    async fn start_sandbox_grant(
        &self,
        grant: uuid::Uuid,
        refresh_hash: &str,
    ) -> Result<bool, RepoError>;

    /// Replaces a live grant's refresh token; `false` if unknown, replaced or revoked.
    async fn rotate_sandbox_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<bool, RepoError>;

    /// Revokes the grant holding this refresh token; `false` if there is none live.
    async fn revoke_sandbox_grant(&self, refresh_hash: &str) -> Result<bool, RepoError>;
}
