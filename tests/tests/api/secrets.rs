//! Secrets given to the service never come back: in no response body and in
//! no stored column as plain text.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{json_of, on_both_stores, Backend, TestApp};

const CREDENTIAL: &str = "rk_live_KNOWNSECRETCREDENTIAL42";
const ACCESS_TOKEN: &str = "known-secret-access-token-7a9";
const REFRESH_TOKEN: &str = "known-secret-refresh-token-3c1";
const CLIENT_SECRET: &str = "known-secret-oauth-client-5e2";

/// Every stored value as text: each row of each table (bytes as hex too).
async fn everything_stored(app: &TestApp) -> String {
    match app.database.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database.url).await.unwrap();
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let mut all = String::new();
            for table in tables {
                // quote() renders text as text and blobs as X'hex'.
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                let row = columns
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || ' ' || ");
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\""))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                all.push_str(&rows.join("\n"));
            }
            all
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database.url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let mut all = String::new();
            for table in tables {
                // A row as text shows bytea as \x followed by hex.
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                all.push_str(&rows.join("\n"));
            }
            all
        }
    }
}

on_both_stores! {
    async fn secrets_never_come_back_and_are_never_stored_in_plain_text(app: TestApp) {
        let mut bodies = Vec::new();
        let mut call = |response: String| bodies.push(response);
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        app.consent(&company, &["accounting", "commerce"]).await;
        let base = format!("/companies/{company}/connections");
        let settings = app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"oauthClientId": "client-id", "oauthClientSecret": CLIENT_SECRET})).await;
        call(settings.text().await.unwrap());
        let shop = json_of(app.post(&base, &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let books = json_of(app.post(&base, &json!({"platformKey": "gbol"})).await, StatusCode::OK).await;
        for (connection, material) in [(&shop, json!({"apiKey": CREDENTIAL})), (&books, json!({"accessToken": ACCESS_TOKEN, "refreshToken": REFRESH_TOKEN, "expiresIn": "3600"}))] {
            let path = format!("{base}/{}", connection["id"].as_str().unwrap());
            call(app.send_json(Method::PUT, &format!("{path}/authorization"), &material).await.text().await.unwrap());
            call(app.get(&path).await.text().await.unwrap());
            call(app.get(&format!("{path}/history")).await.text().await.unwrap());
        }
        for path in [format!("/companies/{company}"), base.clone(), "/integrations/gbol/settings".into(), "/integrations/gbol".into(),
                     "/events?pageSize=500".into(), format!("/companies/{company}/linkStatus")] {
            call(app.get(&path).await.text().await.unwrap());
        }
        let stored = everything_stored(&app).await;

        assert!(stored.contains("Acme"), "the dump reads the store");
        for secret in [CREDENTIAL, ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET] {
            for body in &bodies {
                assert!(!body.contains(secret), "{secret} came back: {body}");
            }
            assert!(!stored.contains(secret), "{secret} is stored in plain text");
            let hex = secret.bytes().map(|b| format!("{b:02x}")).collect::<String>();
            assert!(!stored.to_lowercase().contains(&hex), "{secret} is stored as plain bytes");
        }
    }
}
