//! Fresh databases and bulk seeding: one statement per table, never a request per row.
//!
//! Company `n` (from 1) has the id `00000000-0000-4000-8000-<n, 12 digits>`,
//! the name `Company n`, the tags `region` (uk, us, de or fr) and `segment`
//! (s0 to s99). Every even company has one Sandbox connection, Linked for
//! three in four of them, PendingAuth for the others.

use sqlx::{Connection, Executor};

/// The id of seeded company `n`.
pub fn company_id(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Which store a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Store {
    Postgres,
    Sqlite,
}

/// A fresh, empty database for one size; returns its URL.
pub async fn fresh_database(
    store: Store,
    admin_url: &str,
    folder: &std::path::Path,
) -> Result<String, String> {
    match store {
        Store::Postgres => {
            let mut admin = sqlx::PgConnection::connect(admin_url)
                .await
                .map_err(|e| format!("cannot reach PostgreSQL at {admin_url}: {e}"))?;
            for statement in [
                "DROP DATABASE IF EXISTS link_bench WITH (FORCE)",
                "CREATE DATABASE link_bench",
            ] {
                admin.execute(statement).await.map_err(|e| e.to_string())?;
            }
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url, |(base, _)| base);
            Ok(format!("{base}/link_bench"))
        }
        Store::Sqlite => {
            let path = folder.join("link-bench.db");
            for suffix in ["", "-wal", "-shm", ".key", ".migrate-lock"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            Ok(format!("sqlite://{}", path.display()))
        }
    }
}

/// Seeds `size` companies, their connections and tags for the store's only
/// client, then vacuums, refreshes the planner's statistics and (on
/// PostgreSQL) writes a checkpoint.
pub async fn seed(store: Store, url: &str, size: u64) -> Result<(), String> {
    let size = i64::try_from(size).map_err(|e| e.to_string())?;
    let fail = |e: sqlx::Error| e.to_string();
    match store {
        Store::Postgres => {
            let mut db = sqlx::PgConnection::connect(url).await.map_err(fail)?;
            let client: uuid::Uuid = sqlx::query_scalar("SELECT id FROM clients LIMIT 1")
                .fetch_one(&mut db)
                .await
                .map_err(fail)?;
            sqlx::query(
                "INSERT INTO companies (id, client_id, name, description, tags, created_at) \
                 SELECT ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, $1, 'Company ' || g, NULL, \
                        jsonb_build_object('region', (ARRAY['uk', 'us', 'de', 'fr'])[1 + g % 4], 'segment', 's' || (g % 100)), \
                        timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond' \
                 FROM generate_series(1, $2) g",
            )
            .bind(client)
            .bind(size)
            .execute(&mut db)
            .await
            .map_err(fail)?;
            sqlx::query(
                "INSERT INTO connections (id, client_id, company_id, platform_key, source_type, status, version, created_at, updated_at) \
                 SELECT ('00000000-0000-4000-9000-' || lpad(g::text, 12, '0'))::uuid, $1, \
                        ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'mqjo', 'Accounting', \
                        CASE WHEN g % 8 = 0 THEN 'PendingAuth' ELSE 'Linked' END, 1, \
                        timestamptz '2026-01-02 00:00:00+00' + g * interval '1 millisecond', \
                        timestamptz '2026-01-02 00:00:00+00' + g * interval '1 millisecond' \
                 FROM generate_series(2, $2, 2) g",
            )
            .bind(client)
            .bind(size)
            .execute(&mut db)
            .await
            .map_err(fail)?;
            // As a table that has lived a while: visibility map set, statistics
            // fresh, and the load's pages on disk, so that no checkpoint spread
            // over the next minutes writes them while the scenarios run.
            db.execute("VACUUM ANALYZE").await.map_err(fail)?;
            db.execute("CHECKPOINT").await.map_err(fail)?;
        }
        Store::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(url).await.map_err(fail)?;
            let client: uuid::Uuid = sqlx::query_scalar("SELECT id FROM clients LIMIT 1")
                .fetch_one(&mut db)
                .await
                .map_err(fail)?;
            // Ids are 16-byte blobs and times RFC 3339 text, as the service writes them.
            sqlx::query(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $2) \
                 INSERT INTO companies (id, client_id, name, description, tags, created_at) \
                 SELECT unhex('00000000000040008000' || printf('%012d', n)), $1, 'Company ' || n, NULL, \
                        json_object('region', CASE n % 4 WHEN 0 THEN 'uk' WHEN 1 THEN 'us' WHEN 2 THEN 'de' ELSE 'fr' END, \
                                    'segment', 's' || (n % 100)), \
                        strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-01-01', '+' || n || ' seconds') \
                 FROM g",
            )
            .bind(client)
            .bind(size)
            .execute(&mut db)
            .await
            .map_err(fail)?;
            sqlx::query(
                "WITH RECURSIVE g(n) AS (SELECT 2 UNION ALL SELECT n + 2 FROM g WHERE n + 2 <= $2) \
                 INSERT INTO connections (id, client_id, company_id, platform_key, source_type, status, version, created_at, updated_at) \
                 SELECT unhex('00000000000040009000' || printf('%012d', n)), $1, \
                        unhex('00000000000040008000' || printf('%012d', n)), 'mqjo', 'Accounting', \
                        CASE WHEN n % 8 = 0 THEN 'PendingAuth' ELSE 'Linked' END, 1, \
                        strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-01-02', '+' || n || ' seconds'), \
                        strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-01-02', '+' || n || ' seconds') \
                 FROM g",
            )
            .bind(client)
            .bind(size)
            .execute(&mut db)
            .await
            .map_err(fail)?;
            db.execute("ANALYZE").await.map_err(fail)?;
        }
    }
    Ok(())
}

/// The client's id and the stored hash of the bench API key, for pgbench scripts.
pub async fn client_and_key_hash(url: &str) -> Result<(String, String), String> {
    let mut db = sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let row: (uuid::Uuid, String) =
        sqlx::query_as("SELECT client_id, key_hash FROM api_keys LIMIT 1")
            .fetch_one(&mut db)
            .await
            .map_err(|e| e.to_string())?;
    Ok((row.0.to_string(), row.1))
}
