use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, invalid_items, json_of, on_both_stores};

on_both_stores! {
    async fn a_created_key_is_shown_once_and_works(app: TestApp) {
        let created = json_of(app.post("/apiKeys", &json!({"name": "invoice-processor"})).await, StatusCode::CREATED).await;
        let secret = created["apiKey"].as_str().unwrap();

        let listed = json_of(app.get("/apiKeys").await, StatusCode::OK).await;
        let with_new_key = json_of(app.with_key(secret).get("/companies").await, StatusCode::OK).await;

        assert_eq!(created["name"], "invoice-processor");
        assert_eq!(secret.len(), 40);
        assert!(created["createdDate"].is_string());
        let results = listed["results"].as_array().unwrap();
        assert_eq!(results.len(), 2, "the bootstrap key and the new one");
        assert_eq!(results[1]["id"], created["id"]);
        assert!(results.iter().all(|k| k.get("apiKey").is_none()), "secrets are never listed");
        assert_eq!(with_new_key["totalResults"], 0);
    }

    async fn a_key_can_be_created_without_a_body(app: TestApp) {
        let response = app.request(Method::POST, "/apiKeys").send().await.unwrap();

        let created = json_of(response, StatusCode::CREATED).await;
        assert!(created.get("name").is_none());
        assert!(created["apiKey"].is_string());
    }

    async fn a_name_over_fifty_characters_is_refused(app: TestApp) {
        let response = app.post("/apiKeys", &json!({"name": "n".repeat(51)})).await;

        let body = error_of(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["error"], "Max string length (50) for `name` reached.");
        assert_eq!(invalid_items(&body), ["name"]);
    }

    async fn a_malformed_body_is_refused(app: TestApp) {
        let not_json = app.request(Method::POST, "/apiKeys").header("content-type", "application/json").body("{").send().await.unwrap();
        let not_json_type = app.request(Method::POST, "/apiKeys").header("content-type", "text/plain").body("{}").send().await.unwrap();
        let too_large = app.request(Method::POST, "/apiKeys").header("content-type", "application/json").body(vec![b' '; 300_000]).send().await.unwrap();

        error_of(not_json, StatusCode::BAD_REQUEST).await;
        error_of(not_json_type, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        error_of(too_large, StatusCode::PAYLOAD_TOO_LARGE).await;
    }

    async fn a_client_holds_at_most_ten_keys(app: TestApp) {
        for _ in 0..9 {
            json_of(app.post("/apiKeys", &json!({})).await, StatusCode::CREATED).await;
        }

        let eleventh = app.post("/apiKeys", &json!({})).await;

        let body = error_of(eleventh, StatusCode::CONFLICT).await;
        assert!(body["error"].as_str().unwrap().starts_with("Maximum number of API keys"));
        assert_eq!(json_of(app.get("/apiKeys").await, StatusCode::OK).await["results"].as_array().unwrap().len(), 10);
    }

    async fn concurrent_creations_never_pass_the_limit(app: TestApp) {
        let attempts = (0..15).map(|_| app.request(Method::POST, "/apiKeys").json(&json!({})).send());

        let statuses: Vec<StatusCode> = futures_join(attempts).await;

        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 9);
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 6);
    }

    async fn a_deleted_key_stops_working_at_once(app: TestApp) {
        let created = json_of(app.post("/apiKeys", &json!({})).await, StatusCode::CREATED).await;
        let other = app.with_key(created["apiKey"].as_str().unwrap());

        let response = app.delete(&format!("/apiKeys/{}", created["id"].as_str().unwrap())).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        error_of(other.get("/companies").await, StatusCode::UNAUTHORIZED).await;
        error_of(app.delete(&format!("/apiKeys/{}", created["id"].as_str().unwrap())).await, StatusCode::NOT_FOUND).await;
    }

    async fn a_key_may_delete_itself(app: TestApp) {
        let listed = json_of(app.get("/apiKeys").await, StatusCode::OK).await;
        let own_id = listed["results"][0]["id"].as_str().unwrap().to_owned();

        let response = app.delete(&format!("/apiKeys/{own_id}")).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        error_of(app.get("/apiKeys").await, StatusCode::UNAUTHORIZED).await;
    }

    async fn deleting_an_unknown_or_malformed_id_is_refused(app: TestApp) {
        error_of(app.delete(&format!("/apiKeys/{}", uuid::Uuid::new_v4())).await, StatusCode::NOT_FOUND).await;
        error_of(app.delete("/apiKeys/123").await, StatusCode::BAD_REQUEST).await;
    }
}

/// Runs the requests at the same time and collects their statuses.
async fn futures_join<F>(requests: impl Iterator<Item = F>) -> Vec<StatusCode>
where
    F: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
{
    let handles: Vec<_> = requests.map(tokio::spawn).collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap().unwrap().status());
    }
    statuses
}
