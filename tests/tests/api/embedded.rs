//! Embedded Link on the server's side: the component module, and the last
//! page of a provider's popup, which reports to the journey's origin alone.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{json_of, local, on_both_stores, TestApp};

/// What the README publishes between its markers: the pinned path and the integrity.
fn published() -> (String, String) {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let line = readme
        .split("<!-- embedded-version:start -->\n")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = line.split('`').collect();
    (parts[1].to_owned(), parts[3].to_owned())
}

/// Goes through the Sandbox from a Link URL opened with `query`: the answer that ends it.
async fn sandbox_end(app: &TestApp, query: &str) -> (String, reqwest::Response) {
    let (company, connection) = app.consented_connection("mqjo").await;
    let link = local(connection["linkUrl"].as_str().unwrap());
    let start = app
        .anonymous(Method::GET, &format!("{link}?{query}"))
        .send()
        .await
        .unwrap();
    let decided = app
        .sandbox_decision(
            &local(start.headers()["location"].to_str().unwrap()),
            "approve",
        )
        .await;
    let back = app
        .anonymous(
            Method::GET,
            &local(decided.headers()["location"].to_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    (company, back)
}

/// Goes through the Sandbox from a Link URL opened with `query`, and returns the page the popup ends on.
async fn popup_end(app: &TestApp, query: &str) -> (String, String) {
    let (_, back) = sandbox_end(app, query).await;
    assert_eq!(
        back.status(),
        StatusCode::OK,
        "the popup stays on a page of the service"
    );
    let policy = back.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    (policy, back.text().await.unwrap())
}

on_both_stores! {
    async fn the_component_is_served_to_any_origin_with_its_published_integrity(app: TestApp) {
        let (pinned, integrity) = published();

        let newest = app.anonymous(Method::GET, "/link/sdk.js").header("origin", "https://app.example").send().await.unwrap();
        let fixed = app.anonymous(Method::GET, &pinned).send().await.unwrap();
        let other = app.anonymous(Method::GET, "/link/sdk/000000000000.js").send().await.unwrap();

        assert_eq!(newest.status(), StatusCode::OK);
        assert_eq!(newest.headers()["access-control-allow-origin"], "*");
        assert_eq!(newest.headers()["content-type"], "text/javascript; charset=utf-8");
        assert_eq!(newest.headers()["x-sdk-integrity"].to_str().unwrap(), integrity, "the README publishes this build's integrity");
        assert_eq!(newest.headers()["cache-control"], "public, max-age=300");
        assert_eq!(fixed.status(), StatusCode::OK);
        assert_eq!(fixed.headers()["cache-control"], "public, max-age=31536000, immutable");
        let body = fixed.bytes().await.unwrap();
        assert!(body.starts_with(b"import") || body.windows(6).any(|w| w == b"export"), "an ES module");
        tests::error_of(other, StatusCode::NOT_FOUND).await;
    }

    async fn a_popup_reports_to_the_journeys_origin_only_when_the_client_allows_it(app: TestApp) {
        json_of(app.post("/corsSettings", &json!({"allowedOrigins": ["https://app.example"]})).await, StatusCode::OK).await;

        let (policy, allowed) = popup_end(&app, "linkReturn=popup&linkOrigin=https://app.example").await;
        let (_, foreign) = popup_end(&app, "linkReturn=popup&linkOrigin=https://evil.example").await;

        assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe"), "{policy}");
        assert!(allowed.contains("<h1>Sandbox is connected</h1>"), "{allowed}");
        assert!(allowed.contains("&quot;origin&quot;:&quot;https://app.example&quot;"), "{allowed}");
        assert!(allowed.contains("&quot;statusCode&quot;:&quot;200&quot;"), "{allowed}");
        assert!(allowed.contains("/link/assets/popup.js?v="), "{allowed}");
        assert!(!foreign.contains("link-api-authorization") && !foreign.contains("<script"), "nothing is posted to an origin the client did not allow: {foreign}");
        assert!(foreign.contains("You can close this window"));
    }

    async fn a_provider_opened_in_the_page_returns_to_it_only_on_the_clients_origins(app: TestApp) {
        json_of(app.post("/corsSettings", &json!({"allowedOrigins": ["https://app.example"]})).await, StatusCode::OK).await;

        let (company, allowed) = sandbox_end(&app, "linkReturn=page&linkOrigin=https://app.example&linkBack=https%3A%2F%2Fapp.example%2Fconnect%3Fref%3D7").await;
        let (_, foreign) = sandbox_end(&app, "linkReturn=page&linkOrigin=https://app.example&linkBack=https%3A%2F%2Fevil.example%2Fsteal").await;
        let (_, scripted) = sandbox_end(&app, "linkReturn=page&linkBack=javascript%3Aalert(1)").await;

        assert_eq!(allowed.status(), StatusCode::FOUND);
        let back = url::Url::parse(allowed.headers()["location"].to_str().unwrap()).unwrap();
        assert_eq!((back.origin().ascii_serialization(), back.path()), ("https://app.example".to_owned(), "/connect"));
        let query: std::collections::HashMap<String, String> = back.query_pairs().into_owned().collect();
        assert_eq!(query["ref"], "7", "the page's own query stays");
        assert_eq!((query["linkCompanyId"].as_str(), query["linkStatusCode"].as_str(), query["linkStatusText"].as_str()), (company.as_str(), "200", "Linked"));
        assert!(!query["linkConnectionId"].is_empty());
        for refused in [foreign, scripted] {
            assert_eq!(refused.status(), StatusCode::OK, "no redirect to a page the client did not allow");
            assert!(refused.text().await.unwrap().contains("Sandbox is connected"));
        }
    }

    async fn a_component_given_only_the_company_id_gets_its_journey_token_on_allowed_origins(app: TestApp) {
        json_of(app.post("/corsSettings", &json!({"allowedOrigins": ["https://app.example"]})).await, StatusCode::OK).await;
        let company = app.new_company("Bolt Cycles").await;
        let ask = |origin: &'static str, company: String| {
            let request = app.anonymous(Method::POST, &format!("/link/company/{company}/token"));
            async move { request.header("origin", origin).send().await.unwrap() }
        };

        let allowed = ask("https://app.example", company.clone()).await;
        let headers = allowed.headers().clone();
        let token = json_of(allowed, StatusCode::OK).await;
        let foreign = ask("https://evil.example", company.clone()).await;
        let unknown = ask("https://app.example", "0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41".into()).await;
        let malformed = ask("https://app.example", "not-an-id".into()).await;

        assert_eq!(headers["access-control-allow-origin"], "https://app.example");
        assert_eq!(token["expiresIn"], 3600);
        let browser = app.with_key(token["accessToken"].as_str().unwrap());
        json_of(browser.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(browser.get("/companies").await.status(), StatusCode::FORBIDDEN, "a journey token, nothing more");
        let refused = tests::error_of(foreign, StatusCode::FORBIDDEN).await;
        assert!(refused["error"].as_str().unwrap().contains("POST /corsSettings"), "{refused}");
        tests::error_of(unknown, StatusCode::NOT_FOUND).await;
        tests::error_of(malformed, StatusCode::BAD_REQUEST).await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"requireSignedLinks": true}})).await, StatusCode::OK).await;
        let signed_only = tests::error_of(ask("https://app.example", company.clone()).await, StatusCode::FORBIDDEN).await;
        assert!(signed_only["error"].as_str().unwrap().contains("accessToken"), "{signed_only}");
    }
}
