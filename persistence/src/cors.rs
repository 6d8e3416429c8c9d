//! Clients' allowed CORS origins, for both stores.

use async_trait::async_trait;
use domain::ids::ClientId;
use domain::ports::{CorsRepository, RepoError};

use crate::error::repo_error;
use crate::SqlStore;

macro_rules! cors_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl CorsRepository for SqlStore<$db> {
                async fn cors_origins(&self, client: ClientId) -> Result<Vec<String>, RepoError> {
                    sqlx::query_scalar("SELECT origin FROM cors_origins WHERE client_id = $1 ORDER BY origin")
                        .bind(client.as_uuid())
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)
                }

                async fn put_cors_origins(&self, client: ClientId, origins: &[String]) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    sqlx::query("DELETE FROM cors_origins WHERE client_id = $1")
                        .bind(client.as_uuid())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    for origin in origins {
                        sqlx::query("INSERT INTO cors_origins (client_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(client.as_uuid())
                            .bind(origin)
                            .execute(&mut *tx)
                            .await
                            .map_err(repo_error)?;
                    }
                    tx.commit().await.map_err(repo_error)
                }

                async fn origin_allowed_by_any(&self, origin: &str) -> Result<bool, RepoError> {
                    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cors_origins WHERE origin = $1")
                        .bind(origin)
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(count > 0)
                }
            }
        }
    };
}

cors_repository!(sqlite, sqlx::Sqlite);
cors_repository!(postgres, sqlx::Postgres);
