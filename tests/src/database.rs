//! One database per test: a SQLite file in a temporary folder, or a
//! PostgreSQL database created for the test and dropped after it.

use std::sync::Arc;

use sqlx::{Connection, Executor, PgConnection};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _cleanup: Arc<Cleanup>,
}

enum Cleanup {
    Folder(
        #[expect(dead_code, reason = "held only to delete the folder on drop")] tempfile::TempDir,
    ),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}", folder.path().join("link-api.db").display());
                Self {
                    url,
                    backend,
                    _cleanup: Arc::new(Cleanup::Folder(folder)),
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var("LINK_TEST_POSTGRES_URL").expect(
                    "PostgreSQL tests need LINK_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres); \
                     `make test` skips them when it is unset",
                );
                let name = format!("link_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .expect("PostgreSQL is reachable");
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("a test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                let url = format!("{base}/{name}");
                Self {
                    url,
                    backend,
                    _cleanup: Arc::new(Cleanup::Postgres { admin_url, name }),
                }
            }
        }
    }

    /// The same database reached at another URL (through a proxy, say).
    pub fn at(&self, url: String) -> Self {
        Self {
            url,
            ..self.share()
        }
    }

    /// Another handle on the same database; it is removed when the last handle goes.
    pub fn share(&self) -> Self {
        Self {
            url: self.url.clone(),
            backend: self.backend,
            _cleanup: Arc::clone(&self._cleanup),
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = self else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Dropping needs async I/O, and Drop is not async: do it on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}
