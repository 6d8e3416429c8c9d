//! The pool of database connections both stores share.
//!
//! sqlx's own pool checks every connection with a round trip as it comes
//! back, whether or not anything can be wrong with it, and by default again
//! as it is taken: three round trips for a one-statement request. This pool
//! (deadpool's, over sqlx connections) checks a connection only when there
//! is a reason to:
//!
//! - one that sat idle for a while, or was opened before a connection
//!   somewhere failed, is checked before it is handed out (a server restart
//!   breaks every connection at once);
//! - one given back with a statement still queued (a transaction dropped
//!   without commit queues its rollback) sends it before it is reused, so
//!   its locks are released at once, not when the connection is next taken.
//!
//! A connection that fails a check is closed and another is taken or opened.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, RecycleError, RecycleResult};
use deadpool::Runtime;
use sqlx::{ConnectOptions, Connection, Database};

/// Checked again before use after sitting idle this long.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);
/// Replaced after this long, so connections follow a server that moved.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// How many connection-level failures this process has seen; a pooled
/// connection that last checked out fine before the latest one is checked
/// again before use.
static FAILURES: AtomicU64 = AtomicU64::new(0);

/// Notes a driver error, and answers whether it means a connection was
/// lost; if so, every pooled connection is checked before its next use.
pub(crate) fn note_error(error: &sqlx::Error) -> bool {
    let lost = connection_lost(error);
    if lost {
        FAILURES.fetch_add(1, Ordering::Relaxed);
    }
    lost
}

/// Whether an error means the connection it came on is gone: its socket,
/// its TLS session or the protocol broke, or the server said it is closing
/// the connection (PostgreSQL's SQLSTATE class 08, and 57P01–57P03 when an
/// administrator or a restart ends the session).
fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// A connection as the pool keeps it.
pub struct Pooled<DB: Database> {
    connection: DB::Connection,
    /// [`FAILURES`] when this connection was last known to work.
    checked_at_failure: u64,
}

pub struct Manager<DB: Database> {
    options: <DB::Connection as Connection>::Options,
}

impl<DB: Database> managed::Manager for Manager<DB> {
    type Type = Pooled<DB>;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Pooled<DB>, sqlx::Error> {
        let checked_at_failure = FAILURES.load(Ordering::Relaxed);
        let connection = self.options.connect().await?;
        Ok(Pooled {
            connection,
            checked_at_failure,
        })
    }

    async fn recycle(
        &self,
        pooled: &mut Pooled<DB>,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if metrics.age() >= MAX_LIFETIME {
            return Err(RecycleError::message("the connection reached its lifetime"));
        }
        let failures = FAILURES.load(Ordering::Relaxed);
        if metrics.last_used() >= CHECK_IDLE_AFTER || pooled.checked_at_failure != failures {
            pooled.connection.ping().await?;
            pooled.checked_at_failure = failures;
        }
        Ok(())
    }
}

/// A pool of connections to one database.
pub struct Pool<DB: Database> {
    inner: managed::Pool<Manager<DB>>,
}

impl<DB: Database> Pool<DB> {
    /// A pool of up to `size` connections; a caller waits at most `timeout`
    /// for one (taken, checked or opened) before the store counts as
    /// unavailable. No connection is opened until one is asked for.
    pub fn new(
        options: <DB::Connection as Connection>::Options,
        size: usize,
        timeout: Duration,
    ) -> Result<Self, sqlx::Error> {
        let inner = managed::Pool::builder(Manager { options })
            .max_size(size)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| sqlx::Error::Configuration(e.to_string().into()))?;
        Ok(Self { inner })
    }

    /// A connection of the pool's, back in the pool when dropped.
    pub async fn acquire(&self) -> Result<PoolConnection<DB>, sqlx::Error> {
        match self.inner.get().await {
            Ok(object) => Ok(PoolConnection {
                object: Some(object),
            }),
            Err(managed::PoolError::Backend(error)) => {
                note_error(&error);
                Err(error)
            }
            Err(managed::PoolError::Timeout(_)) => Err(sqlx::Error::PoolTimedOut),
            Err(managed::PoolError::Closed) => Err(sqlx::Error::PoolClosed),
            Err(other) => Err(sqlx::Error::Configuration(other.to_string().into())),
        }
    }
}

/// A connection taken from a [`Pool`].
pub struct PoolConnection<DB: Database> {
    object: Option<Object<Manager<DB>>>,
}

impl<DB: Database> PoolConnection<DB> {
    /// Starts a transaction on this connection.
    pub async fn begin(&mut self) -> Result<sqlx::Transaction<'_, DB>, sqlx::Error> {
        Connection::begin(&mut **self).await
    }
}

impl<DB: Database> Deref for PoolConnection<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        // Present until dropped.
        #[allow(clippy::unwrap_used)]
        &self.object.as_ref().unwrap().connection
    }
}

impl<DB: Database> DerefMut for PoolConnection<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        #[allow(clippy::unwrap_used)]
        &mut self.object.as_mut().unwrap().connection
    }
}

impl<DB: Database> Drop for PoolConnection<DB> {
    fn drop(&mut self) {
        let Some(mut object) = self.object.take() else {
            return;
        };
        if !object.connection.should_flush() {
            return; // back in the pool as it is
        }
        // Something is queued (a rollback, most likely): send it and wait for
        // the server before the connection goes back; one that fails is closed.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = object.connection.ping().await {
                        note_error(&error);
                        drop(Object::take(object));
                    }
                });
            }
            Err(_) => drop(Object::take(object)),
        }
    }
}
