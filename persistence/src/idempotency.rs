//! Idempotency keys, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{
    IdempotencyClaim, IdempotencyKey, IdempotencyRepository, RepoError, StoredResponse,
};

use crate::error::repo_error;
use crate::SqlStore;

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: String,
    status_code: Option<i64>,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

macro_rules! idempotency_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl IdempotencyRepository for SqlStore<$db> {
                async fn claim_idempotency_key(
                    &self,
                    key: IdempotencyKey<'_>,
                    request_hash: &str,
                    now: DateTime<Utc>,
                    expires_at: DateTime<Utc>,
                    abandoned_before: DateTime<Utc>,
                ) -> Result<IdempotencyClaim, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Expired keys, and first requests that never finished, are forgotten first.
                    sqlx::query(
                        "DELETE FROM idempotency_keys WHERE client_id = $1 AND principal = $2 AND key = $3 \
                         AND (expires_at <= $4 OR (status_code IS NULL AND created_at < $5))",
                    )
                    .bind(key.client.as_uuid())
                    .bind(key.principal)
                    .bind(key.key)
                    .bind(now)
                    .bind(abandoned_before)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                    let inserted = sqlx::query(
                        "INSERT INTO idempotency_keys (client_id, principal, key, request_hash, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, principal, key) DO NOTHING",
                    )
                    .bind(key.client.as_uuid())
                    .bind(key.principal)
                    .bind(key.key)
                    .bind(request_hash)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    let claim = if inserted == 1 {
                        IdempotencyClaim::Fresh
                    } else {
                        let row: Row = sqlx::query_as(
                            "SELECT request_hash, status_code, content_type, body FROM idempotency_keys \
                             WHERE client_id = $1 AND principal = $2 AND key = $3",
                        )
                        .bind(key.client.as_uuid())
                        .bind(key.principal)
                        .bind(key.key)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                        match row.status_code {
                            _ if row.request_hash != request_hash => IdempotencyClaim::Mismatch,
                            None => IdempotencyClaim::InProgress,
                            Some(status) => IdempotencyClaim::Done(StoredResponse {
                                status: u16::try_from(status).unwrap_or(500),
                                content_type: row.content_type,
                                body: row.body.unwrap_or_default(),
                            }),
                        }
                    };
                    tx.commit().await.map_err(repo_error)?;
                    Ok(claim)
                }

                async fn complete_idempotency_key(&self, key: IdempotencyKey<'_>, response: &StoredResponse) -> Result<(), RepoError> {
                    sqlx::query(
                        "UPDATE idempotency_keys SET status_code = $1, content_type = $2, body = $3 \
                         WHERE client_id = $4 AND principal = $5 AND key = $6",
                    )
                    .bind(i64::from(response.status))
                    .bind(response.content_type.as_deref())
                    .bind(response.body.as_slice())
                    .bind(key.client.as_uuid())
                    .bind(key.principal)
                    .bind(key.key)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(())
                }

                async fn release_idempotency_key(&self, key: IdempotencyKey<'_>) -> Result<(), RepoError> {
                    sqlx::query("DELETE FROM idempotency_keys WHERE client_id = $1 AND principal = $2 AND key = $3")
                        .bind(key.client.as_uuid())
                        .bind(key.principal)
                        .bind(key.key)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(())
                }

                async fn purge_idempotency_keys(&self, now: DateTime<Utc>) -> Result<u64, RepoError> {
                    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
                        .bind(now)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .rows_affected())
                }
            }
        }
    };
}

idempotency_repository!(sqlite, sqlx::Sqlite);
idempotency_repository!(postgres, sqlx::Postgres);
