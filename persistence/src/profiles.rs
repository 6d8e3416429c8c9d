//! Client profiles and OAuth states, for both stores.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::connection::Connection;
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::ports::{Consumed, OAuthState, OAuthStateRepository, ProfileRepository, RepoError};
use domain::profile::Profile;
use domain::secrets::SealedSecret;
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::repo_error;
use crate::rows::now;
use crate::SqlStore;

#[derive(sqlx::FromRow)]
struct ProfileRow {
    name: String,
    redirect_url: String,
    logo_url: Option<String>,
    icon_url: Option<String>,
    whitelist_urls: Json<Vec<String>>,
}

#[derive(sqlx::FromRow)]
struct StateRow {
    client_id: Uuid,
    company_id: Uuid,
    connection_id: Uuid,
    verifier_key_version: i32,
    verifier: Vec<u8>,
    redirect_params: Json<BTreeMap<String, String>>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

impl StateRow {
    fn into_state(self) -> (OAuthState, Option<DateTime<Utc>>) {
        let used = self.used_at;
        let state = OAuthState {
            client: self.client_id.into(),
            company: self.company_id.into(),
            connection: self.connection_id.into(),
            verifier: SealedSecret {
                key_version: u32::try_from(self.verifier_key_version).unwrap_or_default(),
                bytes: self.verifier,
            },
            redirect_params: self.redirect_params.0,
            expires_at: self.expires_at,
        };
        (state, used)
    }
}

macro_rules! profile_repositories {
    ($module:ident, $db:ty) => {
        mod $module {
            use super::*;

            #[async_trait]
            impl ProfileRepository for SqlStore<$db> {
                async fn get_profile(&self, client: ClientId) -> Result<Option<Profile>, RepoError> {
                    let row: Option<ProfileRow> = sqlx::query_as(
                        "SELECT name, redirect_url, logo_url, icon_url, whitelist_urls FROM profiles WHERE client_id = $1",
                    )
                    .bind(client.as_uuid())
                    .fetch_optional(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(row.map(|r| Profile {
                        name: r.name,
                        redirect_url: r.redirect_url,
                        logo_url: r.logo_url,
                        icon_url: r.icon_url,
                        whitelist_urls: r.whitelist_urls.0,
                    }))
                }

                async fn put_profile(&self, client: ClientId, profile: &Profile) -> Result<(), RepoError> {
                    sqlx::query(
                        "INSERT INTO profiles (client_id, name, redirect_url, logo_url, icon_url, whitelist_urls, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, redirect_url = excluded.redirect_url, \
                         logo_url = excluded.logo_url, icon_url = excluded.icon_url, \
                         whitelist_urls = excluded.whitelist_urls, updated_at = excluded.updated_at",
                    )
                    .bind(client.as_uuid())
                    .bind(&profile.name)
                    .bind(&profile.redirect_url)
                    .bind(profile.logo_url.as_deref())
                    .bind(profile.icon_url.as_deref())
                    .bind(Json(&profile.whitelist_urls))
                    .bind(now())
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(())
                }
            }

            #[async_trait]
            impl OAuthStateRepository for SqlStore<$db> {
                async fn save_oauth_state(&self, state_hash: &str, state: &OAuthState) -> Result<(), RepoError> {
                    sqlx::query(
                        "INSERT INTO oauth_states (state_hash, client_id, company_id, connection_id, \
                         verifier_key_version, verifier, redirect_params, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(state_hash)
                    .bind(state.client.as_uuid())
                    .bind(state.company.as_uuid())
                    .bind(state.connection.as_uuid())
                    .bind(i32::try_from(state.verifier.key_version).unwrap_or(i32::MAX))
                    .bind(state.verifier.bytes.as_slice())
                    .bind(Json(&state.redirect_params))
                    .bind(state.expires_at)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(())
                }

                async fn consume_oauth_state(&self, state_hash: &str) -> Result<Consumed, RepoError> {
                    let at = now();
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // The guarded update is what makes a state single-use: one caller changes the row.
                    let claimed = sqlx::query(
                        "UPDATE oauth_states SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $1",
                    )
                    .bind(at)
                    .bind(state_hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    let row: Option<StateRow> = sqlx::query_as(
                        "SELECT client_id, company_id, connection_id, verifier_key_version, verifier, redirect_params, \
                         expires_at, used_at FROM oauth_states WHERE state_hash = $1",
                    )
                    .bind(state_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(match row.map(StateRow::into_state) {
                        None => Consumed::Unknown,
                        Some((state, _)) if claimed == 1 => Consumed::Fresh(state),
                        Some((state, Some(_))) => Consumed::Replayed(state),
                        Some((state, None)) => Consumed::Expired(state),
                    })
                }

                async fn find_usable_oauth_state(&self, state_hash: &str) -> Result<Option<OAuthState>, RepoError> {
                    let row: Option<StateRow> = sqlx::query_as(
                        "SELECT client_id, company_id, connection_id, verifier_key_version, verifier, redirect_params, \
                         expires_at, used_at FROM oauth_states WHERE state_hash = $1 AND used_at IS NULL AND expires_at > $2",
                    )
                    .bind(state_hash)
                    .bind(now())
                    .fetch_optional(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(row.map(|row| row.into_state().0))
                }

                async fn purge_oauth_states(&self, expired_before: DateTime<Utc>) -> Result<u64, RepoError> {
                    Ok(sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
                        .bind(expired_before)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .rows_affected())
                }

                async fn find_connection(&self, company: CompanyId, id: ConnectionId) -> Result<Connection, RepoError> {
                    let client: Option<Uuid> =
                        sqlx::query_scalar("SELECT client_id FROM connections WHERE id = $1 AND company_id = $2")
                            .bind(id.as_uuid())
                            .bind(company.as_uuid())
                            .fetch_optional(&mut *self.connection().await?)
                            .await
                            .map_err(repo_error)?;
                    let client: ClientId = client.ok_or(RepoError::NotFound)?.into();
                    domain::ports::ConnectionRepository::get_connection(self, client, company, id).await
                }
            }
        }
    };
}

profile_repositories!(sqlite, sqlx::Sqlite);
profile_repositories!(postgres, sqlx::Postgres);
