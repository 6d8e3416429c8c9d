//! A client's link settings and profile as the use cases read them: the
//! newest version, or the defaults before the client changed anything.

use domain::ids::ClientId;
use domain::link_settings::LinkSettings;
use domain::ports::{RepoError, Store};
use domain::profile::Profile;

use crate::dto::link_settings::LinkSettingsDocument;

/// A client's newest link settings, the defaults before any change.
pub async fn link_settings(store: &dyn Store, client: ClientId) -> Result<LinkSettings, RepoError> {
    match store.latest_link_settings(client).await? {
        None => Ok(LinkSettings::defaults()),
        Some(stored) => LinkSettingsDocument::parse_stored(&stored).map_err(RepoError::Failure),
    }
}

/// A client's profile, or a default named after the client.
pub async fn profile(store: &dyn Store, client: ClientId) -> Result<Profile, RepoError> {
    if let Some(profile) = store.get_profile(client).await? {
        return Ok(profile);
    }
    let name = store
        .get_client(client)
        .await?
        .map_or_else(|| "Link API".to_owned(), |c| c.name);
    Ok(Profile {
        name,
        redirect_url: String::new(),
        logo_url: None,
        icon_url: None,
        whitelist_urls: Vec::new(),
    })
}

/// What a client's reminders need besides the company: its settings, name and logo.
pub struct ClientContext {
    pub settings: LinkSettings,
    pub name: String,
    pub logo_url: Option<String>,
}

pub async fn context_of(store: &dyn Store, client: ClientId) -> Result<ClientContext, RepoError> {
    let profile = profile(store, client).await?;
    Ok(ClientContext {
        settings: link_settings(store, client).await?,
        name: profile.name,
        logo_url: profile.logo_url,
    })
}
