//! Rate limits per API key and per company token.

use reqwest::StatusCode;
use serde_json::json;
use tests::{error_of, json_of, on_both_stores, spawn_with};

fn number(response: &reqwest::Response, name: &str) -> i64 {
    response.headers()[name].to_str().unwrap().parse().unwrap()
}

on_both_stores! {
    async fn every_answer_says_what_is_left_and_an_exhausted_key_gets_429(backend: Backend) {
        let app = spawn_with(backend, &["--rate-limit-per-minute", "60", "--rate-limit-burst", "3"]).await;
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();

        let second = app.get("/companies").await;
        let third = app.get("/companies").await;
        let refused = app.get("/companies").await;

        assert_eq!((number(&second, "x-rate-limit-limit"), number(&second, "x-rate-limit-remaining")), (3, 1));
        assert_eq!(number(&third, "x-rate-limit-remaining"), 0);
        let now = chrono::Utc::now().timestamp();
        assert!((now..=now + 5).contains(&number(&third, "x-rate-limit-reset")), "full again within three seconds");
        let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert_eq!(retry_after, 1);
        assert_eq!(number(&refused, "x-rate-limit-remaining"), 0);
        let body = error_of(refused, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(body["canBeRetried"], "Yes");

        let other_key = app.with_key(&app.other_client_key().await);
        let token = json_of(app.get(&format!("/companies/{company}/accessToken")).await, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(token["statusCode"], 429);
        let elsewhere = other_key.get("/companies").await;
        assert_eq!(elsewhere.status(), StatusCode::OK, "another key has its own bucket");
        let health = app.anonymous(reqwest::Method::GET, "/healthz").send().await.unwrap();
        assert!(health.headers().get("x-rate-limit-limit").is_none(), "only authenticated answers are counted");

        // A client that waits as long as Retry-After said is served: a second refilled one request.
        tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
        assert_eq!(app.get("/companies").await.status(), StatusCode::OK, "Retry-After was enough");
    }
}
