//! A client's link settings as the use cases read them (the store keeps
//! them as the documents the API took): the newest version, or the
//! defaults before the client changed anything.

use domain::ids::ClientId;
use domain::link_settings::LinkSettings;
use domain::ports::{RepoError, Store};

use crate::dto::link_settings::LinkSettingsDocument;

/// A client's newest link settings, the defaults before any change.
pub async fn link_settings(store: &dyn Store, client: ClientId) -> Result<LinkSettings, RepoError> {
    match store.latest_link_settings(client).await? {
        None => Ok(LinkSettings::defaults()),
        Some(stored) => LinkSettingsDocument::parse_stored(&stored).map_err(RepoError::Failure),
    }
}

/// The settings the use cases read ([`app::ports::ClientSettings`]), from the store.
pub struct StoredSettings(pub std::sync::Arc<dyn Store>);

#[async_trait::async_trait]
impl app::ports::ClientSettings for StoredSettings {
    async fn link_settings(&self, client: ClientId) -> Result<LinkSettings, app::AppError> {
        Ok(link_settings(self.0.as_ref(), client).await?)
    }
}
