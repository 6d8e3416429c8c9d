//! The store going away and coming back, through a proxy the test controls.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::proxy::TcpProxy;
use tests::{error_of, json_of, spawn_on_with, Backend, TestDatabase};

mod a_store_outage_answers_503_and_the_service_resumes_by_itself {
    use super::*;

    #[tokio::test]
    async fn postgres() {
        let database = TestDatabase::create(Backend::Postgres).await;
        let (host_and_port, name) = database
            .url
            .trim_start_matches("postgres://")
            .split_once('@')
            .unwrap()
            .1
            .split_once('/')
            .unwrap();
        let proxy = TcpProxy::start(host_and_port.to_owned()).await;
        let user = database
            .url
            .trim_start_matches("postgres://")
            .split('@')
            .next()
            .unwrap()
            .to_owned();
        let through = database.at(format!("postgres://{user}@127.0.0.1:{}/{name}", proxy.port));
        let app = spawn_on_with(through, &["--database-timeout-secs", "1"]).await;
        app.create_company(json!({"name": "Before"})).await;

        proxy.cut();
        let started = Instant::now();
        let listed = app.get("/companies").await;
        let answered_in = started.elapsed();
        let created = app.post("/companies", &json!({"name": "During"})).await;
        let ready = app.anonymous(Method::GET, "/readyz").send().await.unwrap();
        let alive = app.anonymous(Method::GET, "/healthz").send().await.unwrap();

        let body = error_of(listed, StatusCode::SERVICE_UNAVAILABLE).await;
        assert_eq!(body["canBeRetried"], "Yes");
        assert!(
            answered_in < Duration::from_secs(5),
            "within the configured timeout: {answered_in:?}"
        );
        error_of(created, StatusCode::SERVICE_UNAVAILABLE).await;
        error_of(ready, StatusCode::SERVICE_UNAVAILABLE).await;
        assert_eq!(alive.status(), StatusCode::OK, "the process itself is fine");

        proxy.restore();
        let mut back = None;
        for _ in 0..40 {
            let response = app.get("/companies").await;
            if response.status() == StatusCode::OK {
                back = Some(response);
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let listed = json_of(
            back.expect("service resumed within ten seconds"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            listed["totalResults"], 1,
            "nothing was written while the store was away"
        );
        assert_eq!(
            app.anonymous(Method::GET, "/readyz")
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
}
