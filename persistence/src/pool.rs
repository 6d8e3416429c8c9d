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

use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, RecycleError, RecycleResult};
use deadpool::Runtime;
use sqlx::{ConnectOptions, Connection, Database};
use tokio::runtime::RuntimeFlavor;
use tokio::sync::Notify;

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

/// A pool of connections to one database, in shares: a thread takes its
/// connections from a share of its own first, and borrows from the others
/// only when its own has none free.
///
/// A connection answers the thread that opened it: its socket is registered
/// with that thread's event loop, so a connection used by another thread
/// costs an extra wake-up of both at every answer from the database. Each
/// HTTP worker thread keeping to its own connections removes that (a sixth
/// more reads of a company a second on two cores).
pub struct Pool<DB: Database> {
    shares: Vec<managed::Pool<Manager<DB>>>,
    /// Told when a connection comes back, for callers waiting for any share.
    returned: Arc<Notify>,
    timeout: Duration,
}

thread_local! {
    /// This thread's share (modulo the number of shares), given on first use.
    static HOME: Cell<Option<usize>> = const { Cell::new(None) };
}
static NEXT_HOME: AtomicUsize = AtomicUsize::new(0);

/// The share of the calling thread: a thread running an event loop of its
/// own (an HTTP worker) gets one of its own; the threads of a shared
/// multi-threaded runtime, whose tasks move between them and whose sockets
/// one event loop serves, share the first.
fn home() -> usize {
    HOME.with(|home| {
        home.get().unwrap_or_else(|| {
            let own_loop = tokio::runtime::Handle::try_current()
                .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::CurrentThread);
            let next = if own_loop {
                1 + NEXT_HOME.fetch_add(1, Ordering::Relaxed)
            } else {
                0
            };
            home.set(Some(next));
            next
        })
    })
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
        // A share for each HTTP worker thread (one a processor), one for the rest.
        let processors = std::thread::available_parallelism().map_or(1, |n| n.get());
        let count = (processors + 1).min(size).max(1);
        let shares = (0..count)
            .map(|i| {
                managed::Pool::builder(Manager {
                    options: options.clone(),
                })
                .max_size(size / count + usize::from(i < size % count))
                .wait_timeout(Some(Duration::ZERO))
                .create_timeout(Some(timeout))
                .recycle_timeout(Some(timeout))
                .runtime(Runtime::Tokio1)
                .build()
                .map_err(|e| sqlx::Error::Configuration(e.to_string().into()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            shares,
            returned: Arc::new(Notify::new()),
            timeout,
        })
    }

    /// How many connections are open, in use or not.
    #[cfg(test)]
    fn open_connections(&self) -> usize {
        self.shares.iter().map(|share| share.status().size).sum()
    }

    /// A free or new connection of the first share that has one, this
    /// thread's own first; none if every share is at its size and in use.
    async fn try_get(
        &self,
    ) -> Option<Result<Object<Manager<DB>>, managed::PoolError<sqlx::Error>>> {
        let own = home();
        for i in 0..self.shares.len() {
            // The shares are built not to wait, so a full one answers at once.
            match self.shares[(own + i) % self.shares.len()].get().await {
                Err(managed::PoolError::Timeout(managed::TimeoutType::Wait)) => {}
                other => return Some(other),
            }
        }
        None
    }

    async fn get(&self) -> Result<Object<Manager<DB>>, managed::PoolError<sqlx::Error>> {
        if let Some(got) = self.try_get().await {
            return got;
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            // Listening before looking again, so a connection coming back
            // in between is not missed. A caller arriving meanwhile may take
            // it first: waiters are served as connections come back, not
            // strictly in the order they came.
            let mut returned = std::pin::pin!(self.returned.notified());
            returned.as_mut().enable();
            if let Some(got) = self.try_get().await {
                return got;
            }
            if tokio::time::timeout_at(deadline, returned).await.is_err() {
                return Err(managed::PoolError::Timeout(managed::TimeoutType::Wait));
            }
        }
    }

    /// A connection of the pool's, back in the pool when dropped.
    pub async fn acquire(&self) -> Result<PoolConnection<DB>, sqlx::Error> {
        match self.get().await {
            Ok(object) => Ok(PoolConnection {
                object: Some(object),
                returned: self.returned.clone(),
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
    returned: Arc<Notify>,
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
            return give_back(object, true, &self.returned);
        }
        // Something is queued (a rollback, most likely): send it and wait for
        // the server before the connection goes back; one that fails is closed.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let returned = self.returned.clone();
                runtime.spawn(async move {
                    let flushed = object.connection.ping().await;
                    if let Err(error) = &flushed {
                        note_error(error);
                    }
                    give_back(object, flushed.is_ok(), &returned);
                });
            }
            Err(_) => give_back(object, false, &self.returned),
        }
    }
}

/// Puts a connection back in its share, or closes it, and wakes a caller
/// waiting for one.
fn give_back<DB: Database>(object: Object<Manager<DB>>, keep: bool, returned: &Notify) {
    if keep {
        drop(object);
    } else {
        drop(Object::take(object));
    }
    returned.notify_one();
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::Sqlite;

    use super::*;

    fn pool(size: usize, timeout: Duration) -> Arc<Pool<Sqlite>> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap();
        Arc::new(Pool::new(options, size, timeout).unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn threads_together_never_hold_more_connections_than_the_size() {
        let pool = pool(3, Duration::from_secs(5));
        let (holding, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let (pool, holding, most) = (pool.clone(), holding.clone(), most.clone());
                tokio::spawn(async move {
                    let connection = pool.acquire().await.unwrap();
                    let now = holding.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    holding.fetch_sub(1, Ordering::SeqCst);
                    drop(connection);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }

        assert_eq!(most.load(Ordering::SeqCst), 3);
        assert!(pool.open_connections() <= 3);
    }

    #[tokio::test]
    async fn a_waiting_caller_gets_a_connection_given_back_to_another_share() {
        let pool = pool(2, Duration::from_secs(5));
        // One thread: its first connection is from its own share, the second borrowed.
        let own = pool.acquire().await.unwrap();
        let borrowed = pool.acquire().await.unwrap();
        let waiting = tokio::spawn({
            let pool = pool.clone();
            async move {
                let started = Instant::now();
                pool.acquire().await.map(|_| started.elapsed())
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;

        drop(borrowed);

        let waited = waiting.await.unwrap().unwrap();
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        drop(own);
    }

    #[test]
    fn a_thread_with_an_event_loop_of_its_own_gets_a_share_of_its_own() {
        let own = std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            runtime.block_on(async { home() })
        })
        .join()
        .unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let shared = runtime.block_on(async { tokio::spawn(async { home() }).await.unwrap() });

        assert_ne!(own, 0);
        assert_eq!(shared, 0);
    }

    #[tokio::test]
    async fn a_caller_gives_up_when_every_connection_stays_in_use() {
        let pool = pool(1, Duration::from_millis(200));
        let _held = pool.acquire().await.unwrap();
        let started = Instant::now();

        let error = pool.acquire().await.err().unwrap();

        assert!(matches!(error, sqlx::Error::PoolTimedOut), "{error:?}");
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}
