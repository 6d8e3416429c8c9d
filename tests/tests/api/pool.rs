//! The store's connection pool: what a request leaves behind on a connection
//! is cleaned up at once, and a connection the database dropped is not
//! handed out again.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use tests::{error_of, json_of, on_both_stores, spawn_on_with, Backend, TestApp, TestDatabase};

/// Whether another connection can take the write lock on the company
/// within three seconds.
async fn company_can_be_locked(app: &TestApp, company: &str) -> bool {
    match app.database.backend {
        Backend::Postgres => {
            let mut other = PgConnection::connect(&app.database.url).await.unwrap();
            other.execute("SET lock_timeout = '3s'").await.unwrap();
            sqlx::query("UPDATE companies SET name = name WHERE id = $1::uuid")
                .bind(company)
                .execute(&mut other)
                .await
                .is_ok()
        }
        Backend::Sqlite => {
            let mut other = SqliteConnection::connect(&app.database.url).await.unwrap();
            other.execute("PRAGMA busy_timeout = 3000").await.unwrap();
            let locked = other.execute("BEGIN IMMEDIATE").await.is_ok();
            if locked {
                other.execute("ROLLBACK").await.unwrap();
            }
            locked
        }
    }
}

on_both_stores! {
    async fn a_refused_change_releases_the_company_lock_at_once(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let path = format!("/companies/{company}/connections");
        let created = json_of(app.post(&path, &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let authorization = format!("{path}/{}/authorization", created["id"].as_str().unwrap());

        // No consent yet: the store locks the company, finds none and rolls back.
        let refused = app
            .send_json(Method::PUT, &authorization, &json!({"apiKey": "rk_live_51HabcDEF1234567890"}))
            .await;
        error_of(refused, StatusCode::FORBIDDEN).await;

        // Nothing else reaches the server, so only the pool can have sent the rollback.
        assert!(company_can_be_locked(&app, &company).await, "the refused change still holds the company's lock");
    }
}

#[tokio::test]
async fn connections_the_database_dropped_are_replaced_at_once_postgres() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let app = spawn_on_with(database, &["--database-max-connections", "1"]).await;
    let company = app.create_company(json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut admin = PgConnection::connect(&app.database.url).await.unwrap();
    let dropped: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(dropped, vec![true], "the server's one connection");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.get(&format!("/companies/{company}")).await.status());
    }

    // The first request may meet the dead connection (503, worth retrying);
    // that failure has every pooled connection checked before its next use.
    assert!(
        matches!(
            statuses[0],
            StatusCode::OK | StatusCode::SERVICE_UNAVAILABLE
        ),
        "{statuses:?}"
    );
    assert!(
        statuses[1..].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
}
