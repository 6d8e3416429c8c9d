//! Responses kept under idempotency keys.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::ClientId;

use super::error::RepoError;

/// A response kept for an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What a request with an idempotency key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new (or expired, or abandoned): this request runs.
    Fresh,
    /// The first request with this key is still being handled.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
    /// The first request's response, to send again.
    Done(StoredResponse),
}

/// Whose key a stored response is kept under: the client, who answers for
/// the request (one principal for all the client's API keys, one for each
/// company token), and the key the caller chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyKey<'a> {
    pub client: ClientId,
    pub principal: &'a str,
    pub key: &'a str,
}

#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Claims `key` for a request with `request_hash`. A key whose first
    /// request has run longer than `abandoned_before` is taken over.
    async fn claim_idempotency_key(
        &self,
        key: IdempotencyKey<'_>,
        request_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, RepoError>;

    /// Keeps the response of the request that claimed `key`.
    async fn complete_idempotency_key(
        &self,
        key: IdempotencyKey<'_>,
        response: &StoredResponse,
    ) -> Result<(), RepoError>;

    /// Forgets `key`, so that a retry runs again (after a server error).
    async fn release_idempotency_key(&self, key: IdempotencyKey<'_>) -> Result<(), RepoError>;

    /// Deletes keys that expired before `now`; how many.
    async fn purge_idempotency_keys(&self, now: DateTime<Utc>) -> Result<u64, RepoError>;
}
