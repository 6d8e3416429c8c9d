use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, json_of, on_both_stores};

on_both_stores! {
    async fn an_unknown_route_is_404_with_the_error_body(app: TestApp) {
        let body = error_of(app.get("/no/such/route").await, StatusCode::NOT_FOUND).await;

        assert_eq!(body["error"], "No route matches GET /no/such/route.");
    }

    async fn a_wrong_method_is_405_with_allow(app: TestApp) {
        for (method, path, allowed) in [(Method::PUT, "/companies", "GET, POST"),
                                        (Method::POST, "/companies/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41", "GET, PUT, PATCH, DELETE"),
                                        (Method::PATCH, "/apiKeys", "GET, POST")] {
            let response = app.request(method, path).send().await.unwrap();

            assert_eq!(response.headers()["allow"], allowed);
            error_of(response, StatusCode::METHOD_NOT_ALLOWED).await;
        }
    }

    async fn an_array_never_stands_for_an_object(app: TestApp) {
        let settings = json!({"consentRequired": true, "categories": [null, null]});
        for (method, path, body) in [(Method::POST, "/companies", json!(["Acme Arrays"])),
                                     (Method::PUT, "/linkSettings", settings),
                                     (Method::POST, "/webhooks", json!(["https://hooks.example/in"]))] {
            let refused = error_of(app.send_json(method, path, &body).await, StatusCode::BAD_REQUEST).await;

            assert!(refused["error"].as_str().unwrap().contains("expected struct"), "{path}: {refused}");
        }
        assert_eq!(json_of(app.get("/companies").await, StatusCode::OK).await["totalResults"], 0);
        assert_eq!(json_of(app.get("/linkSettings").await, StatusCode::OK).await["version"], 0, "the defaults, never stored");
    }

    async fn an_optional_body_may_be_json_null(app: TestApp) {
        let created = json_of(app.send_json(Method::POST, "/apiKeys", &json!(null)).await, StatusCode::CREATED).await;

        assert!(created["apiKey"].is_string());
    }

    async fn health_and_readiness_need_no_key(app: TestApp) {
        for path in ["/healthz", "/readyz"] {
            let body = json_of(app.anonymous(Method::GET, path).send().await.unwrap(), StatusCode::OK).await;

            assert_eq!(body["status"], "ok");
        }
    }

    async fn every_response_carries_a_fresh_correlation_id(app: TestApp) {
        let first = app.get("/companies").await;
        let second = app.get("/companies").await;

        let ids: Vec<String> = [first, second].iter().map(|r| r.headers()["x-correlation-id"].to_str().unwrap().to_owned()).collect();
        assert_ne!(ids[0], ids[1]);
    }
}
