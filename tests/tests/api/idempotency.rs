//! `Idempotency-Key` on POST and `PUT …/authorization`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, json_of, on_both_stores, TestApp};

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.request(method, path)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn companies(app: &TestApp) -> u64 {
    json_of(app.get("/companies").await, StatusCode::OK).await["totalResults"]
        .as_u64()
        .unwrap()
}

on_both_stores! {
    async fn a_repeat_gets_the_first_response_without_doing_the_work_again(app: TestApp) {
        let body = json!({"name": "Acme"});

        let first = send(&app, Method::POST, "/companies", "create-acme-1", &body).await;
        let again = send(&app, Method::POST, "/companies", "create-acme-1", &body).await;

        assert!(first.headers().get("idempotent-replayed").is_none());
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["content-type"], "application/json");
        let (first, again) = (json_of(first, StatusCode::OK).await, json_of(again, StatusCode::OK).await);
        assert_eq!(first, again);
        assert_eq!(companies(&app).await, 1);
        let created = json_of(send(&app, Method::POST, "/companies/".trim_end_matches('/'), "create-acme-2", &body).await, StatusCode::OK).await;
        assert_ne!(created["id"], first["id"], "a new key is a new request");
        app.post("/companies", &body).await;
        assert_eq!(companies(&app).await, 3, "without the header nothing changes");
    }

    async fn the_same_key_with_another_request_is_a_conflict(app: TestApp) {
        json_of(send(&app, Method::POST, "/companies", "k-1", &json!({"name": "Acme"})).await, StatusCode::OK).await;

        let other_body = send(&app, Method::POST, "/companies", "k-1", &json!({"name": "Other"})).await;
        let other_path = send(&app, Method::POST, "/apiKeys", "k-1", &json!({"name": "Acme"})).await;

        assert!(error_of(other_body, StatusCode::CONFLICT).await["error"].as_str().unwrap().contains("different request"));
        error_of(other_path, StatusCode::CONFLICT).await;
        assert_eq!(companies(&app).await, 1);
    }

    async fn concurrent_duplicates_run_once(app: TestApp) {
        let body = json!({"name": "Racer"});
        let requests = (0..8).map(|_| send(&app, Method::POST, "/companies", "race-1", &body));

        let responses = futures_util::future::join_all(requests).await;

        let mut ids = std::collections::BTreeSet::new();
        for response in responses {
            match response.status() {
                StatusCode::OK => { ids.insert(json_of(response, StatusCode::OK).await["id"].clone().to_string()); }
                StatusCode::CONFLICT => { error_of(response, StatusCode::CONFLICT).await; }
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(ids.len(), 1, "every success is the same company");
        assert_eq!(companies(&app).await, 1);
    }

    async fn keys_belong_to_one_client(app: TestApp) {
        let other = app.with_key(&app.other_client_key().await);
        let body = json!({"name": "Acme"});

        let mine = json_of(send(&app, Method::POST, "/companies", "shared-key", &body).await, StatusCode::OK).await;
        let theirs = json_of(send(&other, Method::POST, "/companies", "shared-key", &body).await, StatusCode::OK).await;

        assert_ne!(mine["id"], theirs["id"]);
    }

    async fn authorization_and_created_answers_are_replayed_too(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let consent = json!({"categories": ["commerce"]});
        let first = json_of(send(&app, Method::POST, &format!("/companies/{company}/consents"), "consent-1", &consent).await, StatusCode::CREATED).await;
        let again = json_of(send(&app, Method::POST, &format!("/companies/{company}/consents"), "consent-1", &consent).await, StatusCode::CREATED).await;
        let connection = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let path = format!("/companies/{company}/connections/{}/authorization", connection["id"].as_str().unwrap());
        let credentials = json!({"apiKey": "rk_live_51HabcDEF1234567890"});

        let linked = json_of(send(&app, Method::PUT, &path, "link-1", &credentials).await, StatusCode::OK).await;
        let replayed = json_of(send(&app, Method::PUT, &path, "link-1", &credentials).await, StatusCode::OK).await;

        assert_eq!(first, again);
        let ledger = json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        assert_eq!(ledger["results"].as_array().unwrap().len(), 1);
        assert_eq!(linked, replayed);
        let history = json_of(app.get(&path.replace("/authorization", "/history")).await, StatusCode::OK).await;
        assert_eq!(history["results"].as_array().unwrap().len(), 2, "created and authorized once");
    }

    async fn a_refusal_is_replayed_and_an_expired_key_runs_again(app: TestApp) {
        let invalid = json!({"name": ""});
        let refused = error_of(send(&app, Method::POST, "/companies", "bad-1", &invalid).await, StatusCode::BAD_REQUEST).await;
        let replayed = send(&app, Method::POST, "/companies", "bad-1", &invalid).await;
        assert_eq!(replayed.headers()["idempotent-replayed"], "true");
        assert_eq!(json_of(replayed, StatusCode::BAD_REQUEST).await, refused, "the first answer, correlation id and all");

        let body = json!({"name": "Acme"});
        json_of(send(&app, Method::POST, "/companies", "old-1", &body).await, StatusCode::OK).await;
        app.execute_sql("UPDATE idempotency_keys SET expires_at = created_sentinel").await;
        let later = send(&app, Method::POST, "/companies", "old-1", &body).await;

        assert!(later.headers().get("idempotent-replayed").is_none(), "after 24 hours the key is new");
        json_of(later, StatusCode::OK).await;
        assert_eq!(companies(&app).await, 2);
    }

    async fn bad_keys_are_refused(app: TestApp) {
        for key in ["x".repeat(256), "two words".to_owned()] {
            let refused = error_of(send(&app, Method::POST, "/companies", &key, &json!({"name": "Acme"})).await, StatusCode::BAD_REQUEST).await;
            assert!(refused["error"].as_str().unwrap().contains("Idempotency-Key"));
        }
        assert_eq!(companies(&app).await, 0);
    }

    async fn a_method_the_path_does_not_take_is_405_whatever_the_key(app: TestApp) {
        let (company, connection) = app.consented_connection("exgd").await;
        let path = format!("/companies/{company}/connections/{}/authorization", connection["id"].as_str().unwrap());
        let body = json!({"apiKey": "rk_live_IDEMPOTENCYCREDENTIAL42"});
        json_of(send(&app, Method::PUT, &path, "key-1", &body).await, StatusCode::OK).await;

        let wrong_method = send(&app, Method::POST, &path, "key-1", &body).await;

        assert_eq!(wrong_method.headers()["allow"], "PUT");
        error_of(wrong_method, StatusCode::METHOD_NOT_ALLOWED).await;
    }
}
