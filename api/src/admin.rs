//! Operator tasks behind `link-api api-keys`, on a store directly.

use domain::api_key::{parse_api_key_name, ApiKey};
use domain::ids::{ApiKeyId, ClientId};
use domain::ports::{Client, RepoError, Store};

use crate::auth::{generate_key, hash_key};

/// Why an operator task failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("the store failed: {0}")]
    Store(#[from] RepoError),
}

/// A key just created, with its secret.
pub struct CreatedKey {
    pub client: Client,
    pub key: ApiKey,
    pub secret: String,
}

/// Creates a key for an existing client (`client`, or the only one), or for
/// a new client named `new_client`.
pub async fn create_key(
    store: &dyn Store,
    name: Option<&str>,
    client: Option<ClientId>,
    new_client: Option<&str>,
) -> Result<CreatedKey, AdminError> {
    let name = parse_api_key_name(name).map_err(|e| AdminError::Invalid(e.message))?;
    let secret = generate_key();
    if let Some(client_name) = new_client.map(str::trim) {
        if client_name.is_empty() {
            return Err(AdminError::Invalid("--new-client needs a name".into()));
        }
        let (client, key) = store
            .create_client(client_name, name, &hash_key(&secret))
            .await?;
        return Ok(CreatedKey {
            client,
            key,
            secret,
        });
    }
    let client = pick_client(store, client).await?;
    let key = store
        .create_api_key(client.id, name, &hash_key(&secret))
        .await
        .map_err(|e| match e {
            RepoError::LimitReached(_) => AdminError::Invalid(format!(
                "client {} already holds the maximum of {} keys; revoke one first",
                client.id,
                domain::api_key::MAX_API_KEYS
            )),
            other => other.into(),
        })?;
    Ok(CreatedKey {
        client,
        key,
        secret,
    })
}

async fn pick_client(store: &dyn Store, wanted: Option<ClientId>) -> Result<Client, AdminError> {
    if let Some(id) = wanted {
        return store
            .get_client(id)
            .await?
            .ok_or_else(|| AdminError::Invalid(format!("no client has the id {id}")));
    }
    match <[Client; 1]>::try_from(store.list_clients().await?) {
        Ok([only]) => Ok(only),
        Err(clients) if clients.is_empty() => Err(AdminError::Invalid(
            "the store has no client yet: start the service once, or pass --new-client NAME".into(),
        )),
        Err(clients) => {
            let ids: Vec<String> = clients
                .iter()
                .map(|c| format!("{} ({})", c.id, c.name))
                .collect();
            Err(AdminError::Invalid(format!(
                "several clients exist; pass --client with one of: {}",
                ids.join(", ")
            )))
        }
    }
}

/// Every client (or one) with its keys.
pub async fn list_keys(
    store: &dyn Store,
    client: Option<ClientId>,
) -> Result<Vec<(Client, Vec<ApiKey>)>, AdminError> {
    let mut listed = Vec::new();
    for c in store
        .list_clients()
        .await?
        .into_iter()
        .filter(|c| client.is_none_or(|id| id == c.id))
    {
        let keys = store.list_api_keys(c.id).await?;
        listed.push((c, keys));
    }
    Ok(listed)
}

/// Revokes a key of whichever client holds it.
pub async fn revoke_key(store: &dyn Store, id: ApiKeyId) -> Result<Client, AdminError> {
    for client in store.list_clients().await? {
        match store.delete_api_key(client.id, id).await {
            Ok(()) => return Ok(client),
            Err(RepoError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AdminError::Invalid(format!("no API key has the id {id}")))
}
