use std::sync::Arc;

use app::oauth::TokenEndpoint;
use app::sandbox::SandboxProvider;
use app::secrets::Cipher;
use domain::ports::Store;

use domain::integration::PlatformKey;

use crate::catalogue::Catalogue;
use crate::oauth::HttpTokenEndpoint;

/// What every handler shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalogue: Catalogue,
    pub cipher: Cipher,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
    /// Token requests to real providers.
    pub http_tokens: HttpTokenEndpoint,
    /// Calls to clients' credentials verifiers.
    pub verifier: crate::verifier::HttpVerifier,
    /// The built-in Sandbox provider.
    pub sandbox: SandboxProvider,
    /// Issues and checks company access tokens.
    pub company_tokens: crate::company_token::TokenSigner,
    /// Issues and checks the tokens of invitations' share URLs.
    pub invitation_tokens: crate::company_token::TokenSigner,
    /// Whether webhook consumers may be loopback or private addresses.
    pub webhooks_may_reach_private: bool,
    /// Proxies whose forwarding headers name the client's address.
    pub trusted_proxies: crate::client_address::TrustedProxies,
    /// How emails are sent, when `LINK_SMTP_URL` is set.
    pub mailer: Option<crate::mailer::Mailer>,
}

impl AppState {
    /// The service's own origin (scheme, host and port of the public URL), in lower case.
    pub fn own_origin(&self) -> String {
        url::Url::parse(&self.public_url)
            .map(|url| url.origin().ascii_serialization().to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// The wire form of a connection.
    pub fn connection_body(
        &self,
        connection: domain::connection::Connection,
    ) -> crate::dto::connection::ConnectionBody {
        crate::dto::connection::ConnectionBody::new(connection, &self.catalogue, &self.public_url)
    }

    /// The client's settings as the use cases read them.
    pub fn settings(&self) -> &dyn app::ports::ClientSettings {
        self
    }

    /// Where token requests for a platform go: the Sandbox in process, others over HTTP.
    pub fn token_endpoint(&self, key: &PlatformKey) -> &dyn TokenEndpoint {
        if key.as_str() == app::sandbox::PLATFORM_KEY {
            &self.sandbox
        } else {
            &self.http_tokens
        }
    }
}

#[async_trait::async_trait]
impl app::ports::ClientSettings for AppState {
    async fn link_settings(
        &self,
        client: domain::ids::ClientId,
    ) -> Result<domain::link_settings::LinkSettings, app::AppError> {
        Ok(crate::client_settings::link_settings(self.store.as_ref(), client).await?)
    }
}

impl app::ports::Providers for AppState {
    fn integration(&self, key: &PlatformKey) -> Option<&domain::integration::Integration> {
        self.catalogue.get(key).map(|entry| &entry.integration)
    }

    fn token_endpoint(&self, key: &PlatformKey) -> &dyn TokenEndpoint {
        AppState::token_endpoint(self, key)
    }
}

/// An invitation's token: a company token for its categories, made for
/// invitations alone, expiring with the invitation.
impl app::ports::InvitationTokens for AppState {
    fn sign(&self, invitation: &domain::invitation::Invitation) -> Result<String, String> {
        use crate::company_token::{Claims, INVITATION_AUDIENCE};
        self.invitation_tokens
            .sign(&Claims {
                aud: INVITATION_AUDIENCE.into(),
                exp: invitation.expires_at.timestamp(),
                jti: invitation.id,
                cat: Some(invitation.categories.clone()),
                ..Claims::new(invitation.client_id, invitation.company_id)
            })
            .map_err(|e| e.to_string())
    }
}
