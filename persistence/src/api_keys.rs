//! API keys and clients, for both stores.

use async_trait::async_trait;
use domain::api_key::{ApiKey, MAX_API_KEYS};
use domain::ids::{ApiKeyId, ClientId};
use domain::ports::{ApiKeyRepository, Client, ClientRepository, HealthCheck, KeyHash, RepoError};

use crate::error::repo_error;
use crate::rows::{now, ApiKeyRow, ClientRow};
use crate::SqlStore;

const API_KEY_COLUMNS: &str = "id, client_id, name, created_at";

macro_rules! key_repositories {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            type Tx<'a> = sqlx::Transaction<'a, $db>;

            /// Inserts a client holding one key. Both writes come first in
            /// their transaction, so SQLite takes its write lock at once.
            async fn insert_client(
                tx: &mut Tx<'_>,
                name: &str,
                key_name: Option<String>,
                key: &KeyHash,
            ) -> Result<(Client, ApiKey), sqlx::Error> {
                let client = Client { id: ClientId::new(), name: name.to_owned() };
                let created = now();
                sqlx::query("INSERT INTO clients (id, name, api_key_count, created_at) VALUES ($1, $2, 1, $3)")
                    .bind(client.id.as_uuid())
                    .bind(&client.name)
                    .bind(created)
                    .execute(&mut **tx)
                    .await?;
                let api_key = insert_key(tx, client.id, key_name, key).await?;
                Ok((client, api_key))
            }

            async fn insert_key(
                tx: &mut Tx<'_>,
                client: ClientId,
                name: Option<String>,
                key: &KeyHash,
            ) -> Result<ApiKey, sqlx::Error> {
                let api_key = ApiKey { id: ApiKeyId::new(), client_id: client, name, created: now() };
                sqlx::query("INSERT INTO api_keys (id, client_id, name, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(api_key.id.as_uuid())
                    .bind(client.as_uuid())
                    .bind(api_key.name.as_deref())
                    .bind(&key.0)
                    .bind(api_key.created)
                    .execute(&mut **tx)
                    .await?;
                Ok(api_key)
            }

            #[async_trait]
            impl ClientRepository for SqlStore<$db> {
                async fn bootstrap_client(&self, name: &str, key: &KeyHash) -> Result<Option<(Client, ApiKey)>, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let claimed = sqlx::query("INSERT INTO bootstrap (id, done_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
                        .bind(now())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                    let clients: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clients")
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    let created = if claimed == 1 && clients == 0 {
                        Some(insert_client(&mut tx, name, None, key).await.map_err(repo_error)?)
                    } else {
                        None
                    };
                    tx.commit().await.map_err(repo_error)?;
                    Ok(created)
                }

                async fn create_client(
                    &self,
                    name: &str,
                    key_name: Option<String>,
                    key: &KeyHash,
                ) -> Result<(Client, ApiKey), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let created = insert_client(&mut tx, name, key_name, key).await.map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(created)
                }

                async fn get_client(&self, id: ClientId) -> Result<Option<Client>, RepoError> {
                    let row: Option<ClientRow> = sqlx::query_as("SELECT id, name FROM clients WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_optional(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(row.map(Client::from))
                }

                async fn list_clients(&self) -> Result<Vec<Client>, RepoError> {
                    let rows: Vec<ClientRow> = sqlx::query_as("SELECT id, name FROM clients ORDER BY created_at, id")
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(rows.into_iter().map(Client::from).collect())
                }
            }

            #[async_trait]
            impl ApiKeyRepository for SqlStore<$db> {
                async fn find_api_key(&self, hash: &KeyHash) -> Result<Option<ApiKey>, RepoError> {
                    let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1");
                    let row: Option<ApiKeyRow> = sqlx::query_as(&sql)
                        .bind(&hash.0)
                        .fetch_optional(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(row.map(ApiKey::from))
                }

                async fn create_api_key(
                    &self,
                    client: ClientId,
                    name: Option<String>,
                    hash: &KeyHash,
                ) -> Result<ApiKey, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Counting and reserving in one guarded update keeps the limit
                    // exact when several keys are created at once.
                    let reserved = sqlx::query(
                        "UPDATE clients SET api_key_count = api_key_count + 1 WHERE id = $1 AND api_key_count < $2",
                    )
                    .bind(client.as_uuid())
                    .bind(i64::from(MAX_API_KEYS))
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if reserved == 0 {
                        return Err(RepoError::LimitReached("API keys"));
                    }
                    let api_key = insert_key(&mut tx, client, name, hash).await.map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(api_key)
                }

                async fn list_api_keys(&self, client: ClientId) -> Result<Vec<ApiKey>, RepoError> {
                    let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE client_id = $1 ORDER BY created_at, id");
                    let rows: Vec<ApiKeyRow> = sqlx::query_as(&sql)
                        .bind(client.as_uuid())
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(rows.into_iter().map(ApiKey::from).collect())
                }

                async fn delete_api_key(&self, client: ClientId, id: ApiKeyId) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let deleted = sqlx::query("DELETE FROM api_keys WHERE id = $1 AND client_id = $2")
                        .bind(id.as_uuid())
                        .bind(client.as_uuid())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                    if deleted == 0 {
                        return Err(RepoError::NotFound);
                    }
                    sqlx::query("UPDATE clients SET api_key_count = api_key_count - 1 WHERE id = $1")
                        .bind(client.as_uuid())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }
            }

            #[async_trait]
            impl HealthCheck for SqlStore<$db> {
                async fn ping(&self) -> Result<(), RepoError> {
                    sqlx::query("SELECT 1").execute(&mut *self.connection().await?).await.map_err(repo_error)?;
                    Ok(())
                }
            }
        }
    };
}

key_repositories!(sqlite, sqlx::Sqlite);
key_repositories!(postgres, sqlx::Postgres);
