//! A client's settings of the catalogue's integrations.

use async_trait::async_trait;

use crate::ids::ClientId;
use crate::integration::PlatformKey;
use crate::secrets::SealedSecret;

use super::error::RepoError;

/// A client's settings for one catalogue integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationSetting {
    pub platform_key: PlatformKey,
    pub enabled: bool,
    /// The client's own OAuth application, when it has registered one.
    pub oauth_client: Option<OAuthClient>,
    /// Where typed credentials are checked before they link, when set.
    pub verifier: Option<CredentialsVerifier>,
    /// Where customers download a desktop platform's connector, when set.
    pub connector_url: Option<String>,
}

/// A client's verifier of an integration's credentials: the URL Link API
/// calls, and the secret that signs each call (encrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsVerifier {
    pub url: String,
    pub secret: SealedSecret,
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
