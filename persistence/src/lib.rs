//! Storage adapters for Link API: one for SQLite (the embedded default) and
//! one for PostgreSQL (production and several replicas).
//!
//! Both adapters are generated from the same source by small macros, so each
//! statement and each mapping is written once; where the two SQL dialects
//! differ, [`sql::Dialect`] says how.

/// Binds every [`sql::Bind`] of a statement to a sqlx query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for value in $binds {
            query = match value {
                $crate::sql::Bind::Text(v) => query.bind(v.as_str()),
                $crate::sql::Bind::Uuid(v) => query.bind(*v),
                $crate::sql::Bind::DateTime(v) => query.bind(*v),
                $crate::sql::Bind::Int(v) => query.bind(*v),
                $crate::sql::Bind::Bool(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// Returns `RepoError::NotFound` from the enclosing function unless the
/// company exists and belongs to the client.
macro_rules! ensure_company {
    ($pool:expr, $client:expr, $company:expr) => {{
        let companies: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM companies WHERE id = $1 AND client_id = $2")
                .bind($company.as_uuid())
                .bind($client.as_uuid())
                .fetch_one($pool)
                .await
                .map_err($crate::error::repo_error)?;
        if companies == 0 {
            return Err(domain::ports::RepoError::NotFound);
        }
    }};
}

mod api_keys;
mod companies;
mod connections;
mod consents;
mod cors;
mod emails;
mod error;
mod events;
mod idempotency;
mod integration_settings;
mod invitations;
mod journey_links;
mod link_settings;
mod open;
mod pool;
mod profiles;
mod reminders;
mod rows;
mod sandbox;
mod secrets;
pub mod sql;

pub use open::{open, OpenError, StoreKind, StoreOptions};

/// A store over one connection pool; `SqlStore<Sqlite>` and
/// `SqlStore<Postgres>` implement every domain port.
pub struct SqlStore<DB: sqlx::Database> {
    pool: pool::Pool<DB>,
    payloads: std::sync::Arc<dyn domain::ports::EventPayloads>,
}

impl<DB: sqlx::Database> SqlStore<DB> {
    /// Wraps an open pool whose schema is already migrated.
    fn new(
        pool: pool::Pool<DB>,
        payloads: std::sync::Arc<dyn domain::ports::EventPayloads>,
    ) -> Self {
        Self { pool, payloads }
    }

    /// A connection from the pool, for one statement or several in a row.
    async fn connection(&self) -> Result<pool::PoolConnection<DB>, domain::ports::RepoError> {
        self.pool.acquire().await.map_err(error::repo_error)
    }
}

/// The embedded SQLite store.
pub type SqliteStore = SqlStore<sqlx::Sqlite>;
/// The PostgreSQL store.
pub type PostgresStore = SqlStore<sqlx::Postgres>;
