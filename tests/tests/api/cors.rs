use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

async fn company_and_token(app: &TestApp) -> (String, String) {
    let company = app.create_company(json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = json_of(
        app.get(&format!("/companies/{company}/accessToken")).await,
        StatusCode::OK,
    )
    .await;
    (company, token["accessToken"].as_str().unwrap().to_owned())
}

async fn allow(app: &TestApp, origins: &[&str]) {
    json_of(
        app.post("/corsSettings", &json!({"allowedOrigins": origins}))
            .await,
        StatusCode::OK,
    )
    .await;
}

fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::RequestBuilder {
    app.anonymous(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
}

on_both_stores! {
    async fn codats_older_paths_answer_as_the_current_ones(app: TestApp) {
        let company = app.new_company("Northwind").await;

        let set = app.post("/connectionManagement/corsSettings", &json!({"allowedOrigins": ["HTTPS://App.Example.com"]})).await;
        let read = app.get("/connectionManagement/corsSettings").await;
        let current = app.get("/corsSettings").await;
        let bad = app.post("/connectionManagement/corsSettings", &json!({"allowedOrigins": ["not an origin"]})).await;
        let token = app.get(&format!("/companies/{company}/connectionManagement/accessToken")).await;
        let unknown = app.get("/companies/9b2f43f6-35c5-4d35-a0a4-11b3c1c0f8b7/connectionManagement/accessToken").await;

        assert_eq!(json_of(set, StatusCode::OK).await["allowedOrigins"], json!(["https://app.example.com"]));
        assert_eq!(json_of(read, StatusCode::OK).await["allowedOrigins"], json!(["https://app.example.com"]));
        assert_eq!(json_of(current, StatusCode::OK).await["allowedOrigins"], json!(["https://app.example.com"]));
        assert_eq!(tests::invalid_items(&tests::error_of(bad, StatusCode::BAD_REQUEST).await), ["allowedOrigins"]);
        let token = json_of(token, StatusCode::OK).await["accessToken"].as_str().unwrap().to_owned();
        assert_eq!(app.with_key(&token).get(&format!("/companies/{company}/linkStatus")).await.status(), StatusCode::OK, "the same company token");
        tests::error_of(unknown, StatusCode::NOT_FOUND).await;
        assert_eq!(app.with_key(&token).get("/connectionManagement/corsSettings").await.status(), StatusCode::FORBIDDEN, "an API key's operation");
    }

    async fn cors_settings_are_normalised_stored_and_validated(app: TestApp) {
        let stored = json_of(app.post("/corsSettings", &json!({"allowedOrigins": ["https://App.Example.com/", "http://localhost:3000", "http://localhost:3000"]})).await, StatusCode::OK).await;
        let fetched = json_of(app.get("/corsSettings").await, StatusCode::OK).await;
        let refused = app.post("/corsSettings", &json!({"allowedOrigins": ["https://ok.example", "https://x.example/path", "ftp://x.example", "not a url", "http://250.250.250.250*", "https://a_b.example"]})).await;

        assert_eq!(stored, json!({"allowedOrigins": ["http://localhost:3000", "https://app.example.com"]}));
        assert_eq!(fetched, stored);
        assert_eq!(invalid_items(&error_of(refused, StatusCode::BAD_REQUEST).await).len(), 5);
        assert_eq!(json_of(app.get("/corsSettings").await, StatusCode::OK).await, stored, "nothing changed");
    }

    async fn a_preflight_from_an_allowed_origin_is_answered_and_others_refused(app: TestApp) {
        let (company, _) = company_and_token(&app).await;
        allow(&app, &["https://app.example.com"]).await;
        let path = format!("/companies/{company}/connections");

        let allowed = preflight(&app, &path, "https://app.example.com").send().await.unwrap();
        let refused = preflight(&app, &path, "https://evil.example").send().await.unwrap();

        assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
        assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.com");
        assert!(allowed.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
        assert!(refused.headers().get("access-control-allow-origin").is_none());
        error_of(refused, StatusCode::FORBIDDEN).await;
    }

    async fn company_token_calls_are_allowed_from_the_clients_origins_only(app: TestApp) {
        let (company, token) = company_and_token(&app).await;
        allow(&app, &["https://app.example.com"]).await;
        let other = app.with_key(&app.other_client_key().await);
        allow(&other, &["https://other-client.example"]).await;
        let path = format!("/companies/{company}/connections");
        let from = |origin: &'static str| app.anonymous(Method::GET, &path).bearer_auth(&token).header("origin", origin);

        let allowed = from("https://app.example.com").send().await.unwrap();
        let foreign = from("https://evil.example").send().await.unwrap();
        let another_clients = from("https://other-client.example").send().await.unwrap();
        let no_origin = app.anonymous(Method::GET, &path).bearer_auth(&token).send().await.unwrap();

        assert_eq!(allowed.status(), StatusCode::OK);
        assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.com");
        assert_eq!(allowed.headers()["vary"], "Origin");
        error_of(foreign, StatusCode::FORBIDDEN).await;
        error_of(another_clients, StatusCode::FORBIDDEN).await;
        assert_eq!(no_origin.status(), StatusCode::OK, "a server calling with a company token sends no Origin");
    }

    async fn api_key_responses_carry_no_cors_headers(app: TestApp) {
        allow(&app, &["https://app.example.com"]).await;

        let response = app.request(Method::GET, "/companies").header("origin", "https://app.example.com").send().await.unwrap();

        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("access-control-allow-origin").is_none(), "API keys are for servers, not browsers");
    }
}
