//! Test harness: starts the real server on port 0 over a database of its
//! own, on SQLite or PostgreSQL, and drives it over HTTP.
//!
//! PostgreSQL tests need `LINK_TEST_POSTGRES_URL`, a URL of a server where the
//! user may create databases (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
//! Each test creates a database of its own there and drops it afterwards.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness: a failure should stop the test"
)]

mod database;
pub mod mock_provider;
pub mod proxy;
pub mod receiver;
pub mod smtp;

use std::sync::Arc;

use clap::Parser;
use domain::ports::Store;
use link_api::cli::Cli;
pub use link_api::error::ErrorCode;
use link_api::startup::Application;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

pub use database::{Backend, TestDatabase};

/// The API key every test server is bootstrapped with.
pub const API_KEY: &str = "test-bootstrap-key-0123456789";

/// The public URL the test servers are told they have.
pub const PUBLIC: &str = "http://link.test";

/// A URL of the service made relative, to request it from the test server.
pub fn local(url: &str) -> String {
    url.strip_prefix(PUBLIC).unwrap_or(url).to_owned()
}

/// The encryption key of every test server (32 bytes of 0x2a, base64).
pub const ENCRYPTION_KEY: &str = "1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub api_key: String,
    pub http: reqwest::Client,
    pub database: TestDatabase,
}

/// Starts a server over a fresh database of `backend`.
pub async fn spawn(backend: Backend) -> TestApp {
    let database = TestDatabase::create(backend).await;
    spawn_on(database).await
}

/// Starts a server over a fresh database, with extra command-line settings.
pub async fn spawn_with(backend: Backend, extra: &[&str]) -> TestApp {
    let database = TestDatabase::create(backend).await;
    start(database, extra).await
}

/// Starts a server over an existing test database.
pub async fn spawn_on(database: TestDatabase) -> TestApp {
    start(database, &[]).await
}

/// Starts a server over an existing test database, with extra command-line settings.
pub async fn spawn_on_with(database: TestDatabase, extra: &[&str]) -> TestApp {
    start(database, extra).await
}

async fn start(database: TestDatabase, extra: &[&str]) -> TestApp {
    let settings = settings_with(&database.url, extra);
    let app = Application::build(&settings)
        .await
        .expect("the server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        api_key: API_KEY.to_owned(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        database,
    }
}

/// The sender of the emails the tests send.
pub const MAIL_FROM: &str = "Acme Lending <connect@acme.example>";

/// The settings a test server runs with, as the command line would build them.
pub fn settings(database_url: &str) -> link_api::config::Settings {
    settings_with(database_url, &[])
}

fn settings_with(database_url: &str, extra: &[&str]) -> link_api::config::Settings {
    let base = [
        "link-api",
        "--database-url",
        database_url,
        "--listen",
        "127.0.0.1:0",
        "--public-url",
        PUBLIC,
        "--bootstrap-api-key",
        API_KEY,
        "--database-max-connections",
        "4",
        "--encryption-key",
        ENCRYPTION_KEY,
        "--refresh-interval-secs",
        "3600",
    ];
    // Tests drive webhook delivery themselves (see `dispatcher`), receive on loopback, and
    // send more requests than a rate limit allows unless they test it.
    let test_defaults = [
        ["--dispatch-interval-ms", "0"],
        ["--webhook-allow-private", "true"],
        ["--rate-limit-per-minute", "0"],
    ];
    let defaults = test_defaults
        .iter()
        .filter(|[flag, _]| !extra.contains(flag))
        .flatten();
    let mut cli = Cli::try_parse_from(base.iter().chain(defaults).chain(extra)).unwrap();
    cli.settings.validate().unwrap();
    cli.settings
}

impl TestApp {
    /// A request with this app's API key as a Bearer token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path).bearer_auth(&self.api_key)
    }

    /// A request without credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.address, path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Response {
        self.request(method, path).json(body).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send_json(Method::POST, path, body).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path).send().await.unwrap()
    }

    /// Creates a company and returns its body.
    pub async fn create_company(&self, body: Value) -> Value {
        json_of(self.post("/companies", &body).await, StatusCode::OK).await
    }

    /// Creates a company named `name` and returns its id.
    pub async fn new_company(&self, name: &str) -> String {
        self.create_company(serde_json::json!({"name": name})).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Sets the link settings' `invitationUrl`, where share URLs lead.
    pub async fn set_invitation_url(&self, url: &str) {
        let settings = serde_json::json!({"invitationUrl": url});
        json_of(
            self.send_json(Method::PUT, "/linkSettings", &settings)
                .await,
            StatusCode::OK,
        )
        .await;
    }

    /// A company access token for `company`, as a back end hands it to the browser.
    pub async fn company_token(&self, company: &str) -> String {
        let body = json_of(
            self.get(&format!("/companies/{company}/accessToken")).await,
            StatusCode::OK,
        )
        .await;
        body["accessToken"].as_str().unwrap().to_owned()
    }

    /// Records the company's consent to the given categories, as a journey UI
    /// does before linking, and returns the record.
    pub async fn consent(&self, company: &str, categories: &[&str]) -> Value {
        let body = serde_json::json!({"categories": categories, "actor": {"name": "Ada Lovelace"}});
        json_of(
            self.post(&format!("/companies/{company}/consents"), &body)
                .await,
            StatusCode::CREATED,
        )
        .await
    }

    /// A company that consented to every category, and a new connection of it
    /// to `platform_key`: the company's id and the connection's body.
    pub async fn consented_connection(&self, platform_key: &str) -> (String, Value) {
        let company = self
            .create_company(serde_json::json!({"name": "Acme"}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.consent(&company, &["accounting", "banking", "commerce"])
            .await;
        let connection = json_of(
            self.post(
                &format!("/companies/{company}/connections"),
                &serde_json::json!({"platformKey": platform_key}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        (company, connection)
    }

    /// A connection (as the API returned it) read again.
    pub async fn fetch_connection(&self, company: &str, connection: &Value) -> Value {
        let id = connection["id"].as_str().unwrap();
        json_of(
            self.get(&format!("/companies/{company}/connections/{id}"))
                .await,
            StatusCode::OK,
        )
        .await
    }

    /// Opens the Sandbox's consent page at `authorize` (a path) and answers it
    /// with `decision` (`approve` or `deny`) as the browser would: the form's
    /// hidden fields, and the page's binding cookie.
    pub async fn sandbox_decision(&self, authorize: &str, decision: &str) -> Response {
        let page = self.anonymous(Method::GET, authorize).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "the Sandbox page opens");
        let cookie = page.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let page = page.text().await.unwrap();
        let form = [
            ("decision", decision.to_owned()),
            ("state", hidden_field(&page, "state")),
            ("code_challenge", hidden_field(&page, "code_challenge")),
            ("binding", hidden_field(&page, "binding")),
        ];
        self.anonymous(Method::POST, "/sandbox/oauth/decision")
            .header("cookie", cookie)
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// A store handle on the same database, for operator tasks.
    pub async fn store(&self) -> Arc<dyn Store> {
        link_api::startup::open_store(&settings(&self.database.url))
            .await
            .unwrap()
            .0
    }

    /// A webhook dispatcher over this app's store, on a clock the test moves,
    /// sending with the given timeout.
    pub async fn dispatcher(
        &self,
        clock: Arc<receiver::ManualClock>,
        timeout: std::time::Duration,
    ) -> app::workers::Workers {
        let settings = settings(&self.database.url);
        let cipher = link_api::crypto::cipher_from_settings(&settings).unwrap();
        let sender = link_api::dispatcher::HttpSender::with_timeout(true, timeout).unwrap();
        link_api::dispatcher::workers(self.store().await, cipher, Arc::new(sender), clock)
    }

    /// A dispatcher as [`TestApp::dispatcher`] makes, that also sends the
    /// email outbox through the SMTP server at `smtp_url` as [`MAIL_FROM`].
    pub async fn mail_dispatcher(
        &self,
        clock: Arc<receiver::ManualClock>,
        smtp_url: &str,
    ) -> app::workers::Workers {
        let settings = settings_with(
            &self.database.url,
            &["--smtp-url", smtp_url, "--smtp-from", MAIL_FROM],
        );
        let mailer = link_api::mailer::Mailer::from_settings(&settings).unwrap();
        self.dispatcher(clock, std::time::Duration::from_secs(5))
            .await
            .with_mail(link_api::dispatcher::mail_adapter(mailer))
    }

    /// The served OpenAPI document.
    pub async fn spec(&self) -> Value {
        json_of(
            self.anonymous(Method::GET, "/openapi.json")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await
    }

    /// Every authenticated operation of the served OpenAPI document, as method and path template.
    pub async fn authenticated_operations(&self) -> Vec<(Method, String)> {
        let spec = self.spec().await;
        let mut found = Vec::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if operation["security"] == serde_json::json!([{}]) {
                    continue;
                }
                found.push((method.to_uppercase().parse().unwrap(), path.clone()));
            }
        }
        found
    }

    /// A second client (tenant) and its API key.
    pub async fn other_client_key(&self) -> String {
        let store = self.store().await;
        link_api::admin::create_key(store.as_ref(), None, None, Some("Other client"))
            .await
            .unwrap()
            .secret
    }

    /// Every stored connection ciphertext, read straight from the database.
    pub async fn stored_secret_bytes(&self) -> Vec<u8> {
        let sql = "SELECT ciphertext FROM connection_secrets";
        let rows: Vec<Vec<u8>> = match self.database.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
            }
        };
        rows.concat()
    }

    /// The number a `SELECT COUNT(*) …` statement gives, read straight from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        match self.database.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
            }
        }
    }

    /// Runs a statement straight against the database. `created_sentinel`
    /// stands for a moment long past, written as each store expects.
    pub async fn execute_sql(&self, sql: &str) {
        match self.database.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database.url).await.unwrap();
                let sql = sql.replace("created_sentinel", "'2000-01-01T00:00:00+00:00'");
                sqlx::query(&sql).execute(&pool).await.unwrap();
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database.url).await.unwrap();
                let sql = sql.replace("created_sentinel", "'2000-01-01T00:00:00Z'::timestamptz");
                sqlx::query(&sql).execute(&pool).await.unwrap();
            }
        }
    }

    /// The same app seen with another API key.
    pub fn with_key(&self, key: &str) -> TestApp {
        TestApp {
            address: self.address.clone(),
            api_key: key.to_owned(),
            http: self.http.clone(),
            database: self.database.share(),
        }
    }
}

/// The value of a hidden form field of an HTML page.
pub fn hidden_field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Asserts the status and returns the JSON body.
pub async fn json_of(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// Asserts the documented error body with `status`, and returns it.
pub async fn error_of(response: Response, status: StatusCode) -> Value {
    let header_id = response
        .headers()
        .get("x-correlation-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = json_of(response, status).await;
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(body["statusCode"], status.as_u16(), "{body}");
    assert_eq!(body["service"], "LinkApi");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    let id = body["correlationId"].as_str().expect("a correlationId");
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(
        header_id.as_deref(),
        Some(id),
        "the header and the body carry the same id"
    );
    let number = body["detailedErrorCode"]
        .as_i64()
        .expect("a detailedErrorCode");
    let code = ErrorCode::ALL
        .iter()
        .find(|c| i64::from(c.number()) == number)
        .unwrap_or_else(|| panic!("{number} is not in the table of error codes: {body}"));
    assert_eq!(
        code.status().as_u16(),
        status.as_u16(),
        "{code:?} belongs to another status: {body}"
    );
    assert_eq!(body["canBeRetried"], code.can_be_retried(), "{body}");
    body
}

/// Asserts the documented error body of kind `code` (and its status), and returns it.
pub async fn refusal_of(response: Response, code: ErrorCode) -> Value {
    let status = StatusCode::from_u16(code.status().as_u16()).expect("a status");
    let body = error_of(response, status).await;
    assert_eq!(
        body["detailedErrorCode"],
        code.number(),
        "expected {code:?}: {body}"
    );
    body
}

/// The `itemId`s of the body's validation errors.
pub fn invalid_items(body: &Value) -> Vec<String> {
    body["validation"]["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["itemId"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Declares each test once and runs it on both stores:
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_stores {
    ($(async fn $name:ident($backend:ident: Backend) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($backend: $crate::Backend) $body

                #[tokio::test]
                async fn sqlite() {
                    run($crate::Backend::Sqlite).await
                }

                #[tokio::test]
                async fn postgres() {
                    run($crate::Backend::Postgres).await
                }
            }
        )*
    };
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::TestApp) $body

                #[tokio::test]
                async fn sqlite() {
                    run($crate::spawn($crate::Backend::Sqlite).await).await
                }

                #[tokio::test]
                async fn postgres() {
                    run($crate::spawn($crate::Backend::Postgres).await).await
                }
            }
        )*
    };
}
