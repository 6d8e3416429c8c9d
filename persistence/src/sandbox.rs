//! The Sandbox provider's codes and grants, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{RepoError, SandboxCode, SandboxRepository};
use uuid::Uuid;

use crate::error::repo_error;
use crate::rows::now;
use crate::SqlStore;

#[derive(sqlx::FromRow)]
struct CodeRow {
    grant_id: Uuid,
    redirect_uri: String,
    code_challenge: String,
    expires_at: DateTime<Utc>,
}

macro_rules! sandbox_repository {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl SandboxRepository for SqlStore<$db> {
                async fn save_sandbox_code(&self, code_hash: &str, state_hash: &str, code: &SandboxCode) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    sqlx::query("INSERT INTO sandbox_grants (id, created_at) VALUES ($1, $2)")
                        .bind(code.grant)
                        .bind(now())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    let inserted = sqlx::query(
                        "INSERT INTO sandbox_codes (code_hash, state_hash, grant_id, redirect_uri, code_challenge, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (state_hash) DO NOTHING",
                    )
                    .bind(code_hash)
                    .bind(state_hash)
                    .bind(code.grant)
                    .bind(&code.redirect_uri)
                    .bind(&code.code_challenge)
                    .bind(code.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if inserted == 0 {
                        return Err(RepoError::Conflict("a code was already issued for this state".into()));
                    }
                    tx.commit().await.map_err(repo_error)
                }

                async fn purge_sandbox_codes(&self, expired_before: DateTime<Utc>) -> Result<u64, RepoError> {
                    Ok(sqlx::query("DELETE FROM sandbox_codes WHERE expires_at < $1")
                        .bind(expired_before)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .rows_affected())
                }

                async fn consume_sandbox_code(&self, code_hash: &str) -> Result<Option<SandboxCode>, RepoError> {
                    let row: Option<CodeRow> = sqlx::query_as(
                        "UPDATE sandbox_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
                         RETURNING grant_id, redirect_uri, code_challenge, expires_at",
                    )
                    .bind(now())
                    .bind(code_hash)
                    .fetch_optional(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(row.map(|r| SandboxCode {
                        grant: r.grant_id,
                        redirect_uri: r.redirect_uri,
                        code_challenge: r.code_challenge,
                        expires_at: r.expires_at,
                    }))
                }

                async fn start_sandbox_grant(&self, grant: Uuid, refresh_hash: &str) -> Result<bool, RepoError> {
                    let changed = sqlx::query(
                        "UPDATE sandbox_grants SET refresh_token_hash = $1 \
                         WHERE id = $2 AND revoked_at IS NULL AND refresh_token_hash IS NULL",
                    )
                    .bind(refresh_hash)
                    .bind(grant)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    Ok(changed == 1)
                }

                async fn rotate_sandbox_refresh(&self, old_hash: &str, new_hash: &str) -> Result<bool, RepoError> {
                    let changed = sqlx::query(
                        "UPDATE sandbox_grants SET refresh_token_hash = $1 WHERE refresh_token_hash = $2 AND revoked_at IS NULL",
                    )
                    .bind(new_hash)
                    .bind(old_hash)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    Ok(changed == 1)
                }

                async fn revoke_sandbox_grant(&self, refresh_hash: &str) -> Result<bool, RepoError> {
                    let changed = sqlx::query(
                        "UPDATE sandbox_grants SET revoked_at = $1 WHERE refresh_token_hash = $2 AND revoked_at IS NULL",
                    )
                    .bind(now())
                    .bind(refresh_hash)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    Ok(changed == 1)
                }
            }
        }
    };
}

sandbox_repository!(sqlite, sqlx::Sqlite);
sandbox_repository!(postgres, sqlx::Postgres);
