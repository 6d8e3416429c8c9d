//! Opening a store from a database URL and bringing its schema up to date.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use domain::ports::{EventPayloads, Store};
use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::{PgConnectOptions, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::Database;
use thiserror::Error;

use crate::pool::Pool;
use crate::SqlStore;

/// Which store a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    /// `sqlite:` URLs are SQLite, `postgres:` and `postgresql:` URLs are PostgreSQL.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// How to reach a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub url: String,
    pub max_connections: u32,
    /// How long a request waits for a connection before the store counts as unavailable.
    pub acquire_timeout: Duration,
}

/// Why a store could not be opened.
#[derive(Debug, Error)]
pub enum OpenError {
    #[error("the database URL must start with sqlite: or postgres:")]
    UnknownScheme,
    #[error("the database URL is not valid: {0}")]
    BadUrl(sqlx::Error),
    #[error("could not connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("could not apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not lock the database for migrating: {0}")]
    Lock(String),
    #[error("could not create the database file: {0}")]
    Create(std::io::Error),
}

/// Connects, applies any pending migrations, and returns the store, which
/// renders the payloads of the events it writes with `payloads`.
///
/// On PostgreSQL, migrations run under an advisory lock, so several
/// instances starting at once apply each migration exactly once.
pub async fn open(
    options: &StoreOptions,
    payloads: Arc<dyn EventPayloads>,
) -> Result<Arc<dyn Store>, OpenError> {
    match StoreKind::of_url(&options.url).ok_or(OpenError::UnknownScheme)? {
        StoreKind::Sqlite => {
            let connect = SqliteConnectOptions::from_str(&options.url)
                .map_err(OpenError::BadUrl)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(options.acquire_timeout)
                .foreign_keys(true);
            if let Some(file) = sqlite_file(&options.url) {
                create_private(&file).map_err(OpenError::Create)?;
            }
            let lock = lock_sqlite(&options.url).await?;
            let opened: Result<_, OpenError> = async {
                let pool = new_pool::<Sqlite>(connect, options)?;
                migrate(&pool, &SQLITE_MIGRATIONS).await?;
                Ok(pool)
            }
            .await;
            if let Some(file) = lock {
                let _ = file.unlock();
            }
            Ok(Arc::new(SqlStore::new(opened?, payloads)))
        }
        StoreKind::Postgres => {
            let connect = PgConnectOptions::from_str(&options.url).map_err(OpenError::BadUrl)?;
            let pool = new_pool::<Postgres>(connect, options)?;
            migrate(&pool, &POSTGRES_MIGRATIONS).await?;
            Ok(Arc::new(SqlStore::new(pool, payloads)))
        }
    }
}

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Brings the schema up to date on the pool's first connection. (sqlx's
/// `run` takes an `Acquire`, whose higher-ranked bounds on a borrowed
/// connection keep the callers' futures from being `Send`; `run_direct`,
/// which `run` itself calls, takes the connection as it is.)
async fn migrate<DB: Database>(pool: &Pool<DB>, migrator: &Migrator) -> Result<(), OpenError>
where
    DB::Connection: Migrate,
{
    let mut first = pool.acquire().await.map_err(OpenError::Connect)?;
    migrator.run_direct(&mut *first).await?;
    Ok(())
}

/// A pool over `connect`; its first connection opens when the schema is
/// brought up to date, which also proves the database can be reached.
fn new_pool<DB: Database>(
    connect: <DB::Connection as sqlx::Connection>::Options,
    options: &StoreOptions,
) -> Result<Pool<DB>, OpenError> {
    let size = usize::try_from(options.max_connections).unwrap_or(usize::MAX);
    Pool::new(connect, size, options.acquire_timeout).map_err(OpenError::Connect)
}

/// SQLite has no migration lock of its own, and switching a new database
/// to WAL can fail at once with "database is locked" while another process
/// does the same. An exclusive lock on a file beside the database makes
/// processes opening one file take turns at connecting and migrating; the
/// later ones find the database in WAL mode and the migrations applied.
async fn lock_sqlite(database_url: &str) -> Result<Option<std::fs::File>, OpenError> {
    let Some(path) = sqlite_lock_path(database_url) else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let mut open = std::fs::OpenOptions::new();
        open.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let file = open.open(path)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(|e| OpenError::Lock(e.to_string()))?
    .map(Some)
    .map_err(|e| OpenError::Lock(e.to_string()))
}

/// The file of a SQLite database URL; none for in-memory databases.
fn sqlite_file(database_url: &str) -> Option<std::path::PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or_default();
    (!file.is_empty() && !file.contains(":memory:")).then(|| std::path::PathBuf::from(file))
}

/// `FILE.migrate-lock` beside a SQLite database file; none for in-memory databases.
fn sqlite_lock_path(database_url: &str) -> Option<std::path::PathBuf> {
    sqlite_file(database_url).map(|file| {
        let mut name = file.into_os_string();
        name.push(".migrate-lock");
        name.into()
    })
}

/// Creates a new database file readable by its owner alone (it holds
/// encrypted secrets, hashed keys and customers' data). SQLite gives its
/// `-wal` and `-shm` files the same mode. An existing file is left as it is.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    match open.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
