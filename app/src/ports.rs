//! What the use cases need from outside besides the store's repositories
//! (`domain::ports`), implemented by `api`.

use async_trait::async_trait;
use domain::ids::ClientId;
use domain::integration::{Integration, PlatformKey};
use domain::invitation::Invitation;
use domain::link_settings::LinkSettings;

use crate::oauth::TokenEndpoint;

use crate::AppError;

/// A client's settings as the use cases read them. The store keeps link
/// settings as the documents the API took, which `api` reads.
#[async_trait]
pub trait ClientSettings: Send + Sync {
    /// The client's newest link settings (the defaults before any change).
    async fn link_settings(&self, client: ClientId) -> Result<LinkSettings, AppError>;
}

/// The platforms the service offers, and where each one's token requests go
/// (the Sandbox in process, the others over HTTP).
pub trait Providers: Send + Sync {
    /// The catalogue's integration of this platform.
    fn integration(&self, key: &PlatformKey) -> Option<&Integration>;
    /// The token endpoint of this platform.
    fn token_endpoint(&self, key: &PlatformKey) -> &dyn TokenEndpoint;
}

/// Signs the token an invitation's share URL carries.
pub trait InvitationTokens: Send + Sync {
    fn sign(&self, invitation: &Invitation) -> Result<String, String>;
}

/// What a client's credentials verifier answered: its status and body, or
/// why there was no answer (unreachable, too slow).
pub enum VerifierAnswer {
    Status(u16, String),
    NoAnswer(String),
}

/// Calls a client's credentials verifier: a signed JSON POST.
#[async_trait]
pub trait VerifierCalls: Send + Sync {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: String) -> VerifierAnswer;
}
