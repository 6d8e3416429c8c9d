//! A client's profile, CORS origins and versioned link settings.

use async_trait::async_trait;

use crate::ids::ClientId;

use super::error::RepoError;

#[async_trait]
pub trait ProfileRepository: Send + Sync {
    async fn get_profile(
        &self,
        client: ClientId,
    ) -> Result<Option<crate::profile::Profile>, RepoError>;

    async fn put_profile(
        &self,
        client: ClientId,
        profile: &crate::profile::Profile,
    ) -> Result<(), RepoError>;
}
#[async_trait]
pub trait CorsRepository: Send + Sync {
    /// The origins a client allows, sorted.
    async fn cors_origins(&self, client: ClientId) -> Result<Vec<String>, RepoError>;

    /// Replaces the origins a client allows.
    async fn put_cors_origins(&self, client: ClientId, origins: &[String])
        -> Result<(), RepoError>;

    /// Whether any client allows the origin (for preflight requests, which carry no credentials).
    async fn origin_allowed_by_any(&self, origin: &str) -> Result<bool, RepoError>;
}

/// A versioned document as stored (link settings are kept as their JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedDocument {
    pub version: i64,
    pub document: String,
    pub created: chrono::DateTime<chrono::Utc>,
}

#[async_trait]
pub trait LinkSettingsRepository: Send + Sync {
    /// The newest version, if the client has set any.
    async fn latest_link_settings(
        &self,
        client: ClientId,
    ) -> Result<Option<VersionedDocument>, RepoError>;

    async fn link_settings_version(
        &self,
        client: ClientId,
        version: i64,
    ) -> Result<Option<VersionedDocument>, RepoError>;

    /// Writes version `version`; `Conflict` if another change took that number first.
    async fn add_link_settings(
        &self,
        client: ClientId,
        version: i64,
        document: &str,
    ) -> Result<VersionedDocument, RepoError>;
}
