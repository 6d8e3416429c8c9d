//! What the use cases need from outside besides the store's repositories
//! (`domain::ports`), implemented by `api`.

use async_trait::async_trait;
use domain::ids::ClientId;
use domain::link_settings::LinkSettings;

use crate::AppError;

/// A client's settings as the use cases read them. The store keeps link
/// settings as the documents the API took, which `api` reads.
#[async_trait]
pub trait ClientSettings: Send + Sync {
    /// The client's newest link settings (the defaults before any change).
    async fn link_settings(&self, client: ClientId) -> Result<LinkSettings, AppError>;
}
