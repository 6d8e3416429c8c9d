//! A client as the use cases see it: its profile (or a default named after
//! it), and what its reminders need.

use domain::ids::ClientId;
use domain::link_settings::LinkSettings;
use domain::ports::{RepoError, Store};
use domain::profile::Profile;

use crate::ports::ClientSettings;
use crate::AppError;

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

/// What a client's reminders need, read once per round.
pub async fn context_of(
    store: &dyn Store,
    settings: &dyn ClientSettings,
    client: ClientId,
) -> Result<ClientContext, AppError> {
    let profile = profile(store, client).await?;
    Ok(ClientContext {
        settings: settings.link_settings(client).await?,
        name: profile.name,
        logo_url: profile.logo_url,
    })
}
