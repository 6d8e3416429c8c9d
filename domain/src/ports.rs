//! The storage ports the domain needs; the persistence crate implements them.

use async_trait::async_trait;
use thiserror::Error;

use crate::api_key::ApiKey;
use crate::company::{Company, CompanyFields, CompanyPatch};
use crate::company_query::CompanyListQuery;
use crate::ids::{ApiKeyId, ClientId, CompanyId};
use crate::integration::PlatformKey;
use crate::paging::Page;

/// Why a store could not do what was asked.
#[derive(Debug, Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    #[error("limit reached: {0}")]
    LimitReached(&'static str),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("store failure: {0}")]
    Failure(String),
}

/// A tenant of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
}

/// An encrypted secret as stored: the version of the key that sealed it
/// and the nonce followed by the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSecret {
    pub key_version: u32,
    pub bytes: Vec<u8>,
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

#[async_trait]
pub trait CompanyRepository: Send + Sync {
    async fn create_company(
        &self,
        client: ClientId,
        fields: CompanyFields,
    ) -> Result<Company, RepoError>;

    async fn get_company(&self, client: ClientId, id: CompanyId) -> Result<Company, RepoError>;

    async fn list_companies(
        &self,
        client: ClientId,
        query: &CompanyListQuery,
    ) -> Result<Page<Company>, RepoError>;

    /// Replaces every client-set field.
    async fn replace_company(
        &self,
        client: ClientId,
        id: CompanyId,
        fields: CompanyFields,
    ) -> Result<Company, RepoError>;

    /// Changes only the fields the patch carries, in one atomic statement.
    async fn update_company(
        &self,
        client: ClientId,
        id: CompanyId,
        patch: CompanyPatch,
    ) -> Result<Company, RepoError>;

    async fn delete_company(&self, client: ClientId, id: CompanyId) -> Result<(), RepoError>;
}

/// A client's settings for one catalogue integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationSetting {
    pub platform_key: PlatformKey,
    pub enabled: bool,
    /// The client's own OAuth application, when it has registered one.
    pub oauth_client: Option<OAuthClient>,
}

/// An OAuth application's credentials; the secret stays encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: SealedSecret,
}

#[async_trait]
pub trait IntegrationSettingsRepository: Send + Sync {
    /// Every integration the client has settings for.
    async fn list_integration_settings(
        &self,
        client: ClientId,
    ) -> Result<Vec<IntegrationSetting>, RepoError>;

    async fn get_integration_setting(
        &self,
        client: ClientId,
        key: &PlatformKey,
    ) -> Result<Option<IntegrationSetting>, RepoError>;

    /// Creates or replaces the client's settings for one integration.
    async fn put_integration_setting(
        &self,
        client: ClientId,
        setting: &IntegrationSetting,
    ) -> Result<(), RepoError>;
}

/// Whether the store answers at all.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    async fn ping(&self) -> Result<(), RepoError>;
}

/// Everything the service needs from one store.
pub trait Store:
    ClientRepository
    + ApiKeyRepository
    + CompanyRepository
    + IntegrationSettingsRepository
    + HealthCheck
{
}

impl<T> Store for T where
    T: ClientRepository
        + ApiKeyRepository
        + CompanyRepository
        + IntegrationSettingsRepository
        + HealthCheck
{
}
