//! Clients (tenants) and their API keys.

use async_trait::async_trait;

use crate::api_key::ApiKey;
use crate::ids::{ApiKeyId, ClientId};

use super::error::RepoError;

/// A tenant of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
}

/// The SHA-256 of an API key, in lower-case hex: the only form in which keys are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHash(pub String);

#[async_trait]
pub trait ClientRepository: Send + Sync {
    /// Creates a first client holding one key, unless the store already has a client.
    /// Safe when several instances start at once: exactly one of them gets `Some`.
    async fn bootstrap_client(
        &self,
        name: &str,
        key: &KeyHash,
    ) -> Result<Option<(Client, ApiKey)>, RepoError>;

    /// Creates another client holding one key, named `key_name`.
    async fn create_client(
        &self,
        name: &str,
        key_name: Option<String>,
        key: &KeyHash,
    ) -> Result<(Client, ApiKey), RepoError>;

    async fn list_clients(&self) -> Result<Vec<Client>, RepoError>;

    async fn get_client(&self, id: ClientId) -> Result<Option<Client>, RepoError>;
}

#[async_trait]
pub trait ApiKeyRepository: Send + Sync {
    /// The key with this hash, if it exists.
    async fn find_api_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, RepoError>;

    /// Stores a new key; `LimitReached` once the client holds the maximum.
    async fn create_api_key(
        &self,
        client: ClientId,
        name: Option<String>,
        hash: &KeyHash,
    ) -> Result<ApiKey, RepoError>;

    async fn list_api_keys(&self, client: ClientId) -> Result<Vec<ApiKey>, RepoError>;

    async fn delete_api_key(&self, client: ClientId, id: ApiKeyId) -> Result<(), RepoError>;
}
