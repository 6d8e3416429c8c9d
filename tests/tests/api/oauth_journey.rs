use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, json_of, on_both_stores, TestApp};

const PUBLIC: &str = "http://link.test";

/// Follows a redirect issued by the service (its public URL stands for the test server).
fn local_path(response: &reqwest::Response) -> String {
    let location = response.headers()["location"].to_str().unwrap();
    location.strip_prefix(PUBLIC).unwrap_or(location).to_owned()
}

/// An HTML page of the journey runs no script from elsewhere, cannot be framed, and is not cached.
fn assert_strict_page(page: &reqwest::Response) {
    let header = |name: &str| page.headers()[name].to_str().unwrap().to_owned();
    let policy = header("content-security-policy");
    assert!(
        policy.contains("default-src 'none'")
            && policy.contains("frame-ancestors 'none'")
            && policy.contains("style-src 'sha256-")
            && !policy.contains("unsafe"),
        "{policy}"
    );
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("referrer-policy"), "no-referrer");
}

async fn set_redirect(app: &TestApp, template: &str, allowed: &[&str]) {
    let body = json!({"name": "Acme Lending", "redirectUrl": template, "whiteListUrls": allowed});
    json_of(
        app.send_json(Method::PUT, "/profile", &body).await,
        StatusCode::OK,
    )
    .await;
}

/// `id` as a literal of the test's store.
fn client_literal(app: &TestApp, id: &str) -> String {
    let id = uuid::Uuid::parse_str(id).unwrap();
    match app.database.backend {
        tests::Backend::Sqlite => format!("X'{}'", id.simple()),
        tests::Backend::Postgres => format!("'{id}'"),
    }
}

/// A connection's Link URL, as a path of the test server.
fn local_path_of(connection: &Value) -> String {
    connection["linkUrl"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned()
}

/// Opens the Link URL, answers the Sandbox's consent page, and returns the callback URL path.
async fn consent(app: &TestApp, connection: &Value, query: &str, decision: &str) -> String {
    let link = connection["linkUrl"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned();
    let start = app
        .anonymous(Method::GET, &format!("{link}{query}"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    let authorize = local_path(&start);
    assert!(
        authorize.contains("code_challenge_method=S256")
            && authorize.contains("client_id=link-api-sandbox"),
        "{authorize}"
    );
    let page = app.anonymous(Method::GET, &authorize).send().await.unwrap();
    assert_strict_page(&page);
    let decided = app.sandbox_decision(&authorize, decision).await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    local_path(&decided)
}

on_both_stores! {
    async fn a_profile_needs_a_name_and_a_redirect_url_which_may_be_empty(app: TestApp) {
        let missing = app.send_json(Method::PUT, "/profile", &json!({"name": "Acme Lending"})).await;
        let bad = app.send_json(Method::PUT, "/profile", &json!({"name": " ", "redirectUrl": "ftp://x", "logoUrl": "nope"})).await;
        let empty = app.send_json(Method::PUT, "/profile", &json!({"name": "Acme Lending", "redirectUrl": "", "iconUrl": ""})).await;

        let missing = error_of(missing, StatusCode::BAD_REQUEST).await;
        assert_eq!(missing["validation"]["errors"][0]["itemId"], "redirectUrl");
        let bad = error_of(bad, StatusCode::BAD_REQUEST).await;
        let fields: Vec<&str> = bad["validation"]["errors"].as_array().unwrap().iter().map(|e| e["itemId"].as_str().unwrap()).collect();
        assert_eq!(fields, ["name", "redirectUrl", "logoUrl"]);
        assert_eq!(json_of(empty, StatusCode::OK).await, json!({"name": "Acme Lending", "redirectUrl": "", "whiteListUrls": []}));
    }

    async fn approving_at_the_sandbox_links_the_connection_and_redirects_with_placeholders(app: TestApp) {
        let (company, connection) = app.consented_connection("mqjo").await;
        set_redirect(&app, "https://app.example/done?c={companyId}&p={platform}&s={statusCode}&ref={ref}&m={errorMessage}&k={clientId}", &["https://app.example"]).await;

        let callback = consent(&app, &connection, "?ref=order%2042", "approve").await;
        let finished = app.anonymous(Method::GET, &callback).send().await.unwrap();

        assert_eq!(finished.status(), StatusCode::FOUND);
        let location = finished.headers()["location"].to_str().unwrap().to_owned();
        let (rest, client) = location.split_once("&k=").unwrap();
        assert_eq!(rest, format!("https://app.example/done?c={company}&p=mqjo&s=200&ref=order%2042&m="));
        let stored = app.count(&format!("SELECT COUNT(*) FROM companies WHERE client_id = {}", client_literal(&app, client))).await;
        assert_eq!(stored, 1, "{{clientId}} is the company's client: {client}");
        assert_eq!(app.fetch_connection(&company, &connection).await["status"], "Linked");
        let history = json_of(app.get(&format!("/companies/{company}/connections/{}/history", connection["id"].as_str().unwrap())).await, StatusCode::OK).await;
        assert_eq!((history["results"][1]["cause"].clone(), history["results"][1]["actor"].clone()), (json!("Authorized"), json!("customer")));
    }

    async fn a_dynamic_host_is_filled_only_to_one_of_the_allowed_urls(app: TestApp) {
        let template = "https://{environment}.mybank.example/success?s={statusCode}";
        let refused = app.send_json(Method::PUT, "/profile", &json!({"name": "Acme", "redirectUrl": template, "whiteListUrls": []})).await;
        set_redirect(&app, template, &["https://acme.mybank.example", "https://beta.mybank.example"]).await;
        let mut endings = Vec::new();
        for environment in ["acme", "evil.example%23", "evil.example%2F", "acme.mybank.example.evil", "beta"] {
            let (_, connection) = app.consented_connection("mqjo").await;
            let callback = consent(&app, &connection, &format!("?environment={environment}"), "approve").await;
            let finished = app.anonymous(Method::GET, &callback).send().await.unwrap();
            endings.push(finished.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_else(|| format!("page {}", finished.status())));
        }

        assert_eq!(tests::invalid_items(&error_of(refused, StatusCode::BAD_REQUEST).await), ["redirectUrl"], "a dynamic host needs whiteListUrls");
        assert_eq!(endings, [
            "https://acme.mybank.example/success?s=200",
            "page 200 OK",
            "page 200 OK",
            "page 200 OK",
            "https://beta.mybank.example/success?s=200",
        ], "only a filled origin that is exactly an allowed one is followed");
    }

    async fn the_sandbox_page_may_send_the_customer_on_to_the_clients_own_site(app: TestApp) {
        let (_, connection) = app.consented_connection("mqjo").await;
        set_redirect(&app, "https://app.client.example/done?s={statusCode}", &["https://partner.example:8443/back", "https://x;report-uri/y"]).await;
        let start = app.anonymous(Method::GET, &local_path_of(&connection)).send().await.unwrap();

        let page = app.anonymous(Method::GET, &local_path(&start)).send().await.unwrap();

        let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.contains("form-action 'self' https://app.client.example https://partner.example:8443;"),
            "the decision's redirects may reach the client's redirect origins, and only them: {policy}");
        assert!(page.text().await.unwrap().contains("Acme Lending asks to read"), "the provider names the application it authorizes for");
    }

    async fn denying_keeps_the_connection_pending_with_an_active_error_until_approved(app: TestApp) {
        let (company, connection) = app.consented_connection("mqjo").await;
        set_redirect(&app, "https://app.example/done?s={statusCode}&t={statusText}&m={errorMessage}", &[]).await;

        let denied = app.anonymous(Method::GET, &consent(&app, &connection, "", "deny").await).send().await.unwrap();

        assert_eq!(denied.headers()["location"], "https://app.example/done?s=403&t=Cancelled&m=User%20cancelled.");
        let pending = app.fetch_connection(&company, &connection).await;
        assert_eq!(pending["status"], "PendingAuth");
        assert_eq!(pending["dataConnectionErrors"][0]["status"], "Active");
        assert_eq!(pending["dataConnectionErrors"][0]["errorMessage"], "User cancelled.");
        app.anonymous(Method::GET, &consent(&app, &connection, "", "approve").await).send().await.unwrap();
        let linked = app.fetch_connection(&company, &connection).await;
        assert_eq!(linked["status"], "Linked");
        assert_eq!(linked["dataConnectionErrors"][0]["status"], "Resolved");
    }

    async fn without_consent_the_link_url_asks_for_it_first_and_declining_answers_403(app: TestApp) {
        let company = app.create_company(json!({"name": "Hasty"})).await["id"].as_str().unwrap().to_owned();
        let connection = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "mqjo"})).await, StatusCode::OK).await;
        set_redirect(&app, "https://app.example/done?s={statusCode}&t={statusText}&m={errorMessage}&ref={ref}", &[]).await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"requireSignedLinks": true}})).await, StatusCode::OK).await;
        let link = local_path_of(&connection);

        let start = app.anonymous(Method::GET, &format!("{link}?ref=order-42")).send().await.unwrap();
        let step = local_path(&start);
        let page = app.anonymous(Method::GET, &step).send().await.unwrap();
        let forged = app.anonymous(Method::GET, &step.replace("linkConsent=", "linkConsent=x")).send().await.unwrap();
        let untouched = app.fetch_connection(&company, &connection).await;
        let declined = app.anonymous(Method::GET, &format!("{link}?linkConsent=declined&ref=order-42")).send().await.unwrap();

        assert_eq!(start.status(), StatusCode::FOUND);
        assert!(step.starts_with(&format!("/link/company/{company}?linkConsent={}.", connection["id"].as_str().unwrap())) && step.ends_with("&ref=order-42"),
            "to the consent step, with the custom values: {step}");
        assert_eq!(page.status(), StatusCode::OK, "its ticket opens the page even where signed links are required");
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "a ticket is signed");
        assert_eq!((untouched["status"].clone(), untouched["dataConnectionErrors"].clone()), (json!("PendingAuth"), Value::Null), "nothing failed yet");
        assert_eq!(declined.headers()["location"], "https://app.example/done?s=403&t=ConsentRequired&m=Consent%20required.&ref=order-42",
            "declined, the flow ends as it did");
        let pending = app.fetch_connection(&company, &connection).await;
        assert_eq!((pending["dataConnectionErrors"][0]["statusText"].clone(), pending["dataConnectionErrors"][0]["status"].clone()), (json!("ConsentRequired"), json!("Active")));
        app.consent(&company, &["accounting"]).await;
        app.anonymous(Method::GET, &consent(&app, &connection, "", "approve").await).send().await.unwrap();
        assert_eq!(app.fetch_connection(&company, &connection).await["status"], "Linked");
    }

    async fn a_consent_withdrawn_during_the_journey_stops_the_callback(app: TestApp) {
        let (company, connection) = app.consented_connection("mqjo").await;
        set_redirect(&app, "https://app.example/done?s={statusCode}&t={statusText}", &[]).await;
        let callback = consent(&app, &connection, "", "approve").await;

        let ledger = json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        let id = ledger["results"][0]["id"].as_str().unwrap();
        json_of(app.post(&format!("/companies/{company}/consents/{id}/withdraw"), &json!({})).await, StatusCode::OK).await;
        let finished = app.anonymous(Method::GET, &callback).send().await.unwrap();

        assert_eq!(finished.headers()["location"], "https://app.example/done?s=403&t=ConsentRequired");
        assert_eq!(app.fetch_connection(&company, &connection).await["status"], "PendingAuth");
        assert_eq!(app.count("SELECT COUNT(*) FROM connection_secrets").await, 0, "the code was never exchanged");
    }

    async fn a_replayed_or_expired_state_changes_nothing(app: TestApp) {
        let (company, connection) = app.consented_connection("mqjo").await;
        set_redirect(&app, "https://app.example/done?s={statusCode}", &[]).await;
        let callback = consent(&app, &connection, "", "approve").await;
        app.anonymous(Method::GET, &callback).send().await.unwrap();

        let replayed = app.anonymous(Method::GET, &callback).send().await.unwrap();
        let again = app.anonymous(Method::GET, connection["linkUrl"].as_str().unwrap().strip_prefix(PUBLIC).unwrap()).send().await.unwrap();
        let unknown = app.anonymous(Method::GET, "/link/oauth/callback?code=x&state=never-issued").send().await.unwrap();

        assert_eq!(replayed.headers()["location"], "https://app.example/done?s=500");
        assert_eq!(again.headers()["location"], "https://app.example/done?s=201", "already linked");
        error_of(unknown, StatusCode::BAD_REQUEST).await;
        let history = json_of(app.get(&format!("/companies/{company}/connections/{}/history", connection["id"].as_str().unwrap())).await, StatusCode::OK).await;
        assert_eq!(history["results"].as_array().unwrap().len(), 2, "created, authorized: nothing else");
    }

    async fn an_expired_state_is_refused(app: TestApp) {
        let (company, connection) = app.consented_connection("mqjo").await;
        set_redirect(&app, "https://app.example/done?s={statusCode}", &[]).await;
        let callback = consent(&app, &connection, "", "approve").await;

        app.execute_sql("UPDATE oauth_states SET expires_at = created_sentinel").await;
        let expired = app.anonymous(Method::GET, &callback).send().await.unwrap();

        assert_eq!(expired.headers()["location"], "https://app.example/done?s=500");
        assert_eq!(app.fetch_connection(&company, &connection).await["status"], "PendingAuth");
    }

    async fn without_a_redirect_url_or_outside_the_allowed_origins_a_page_is_shown(app: TestApp) {
        let (_, connection) = app.consented_connection("mqjo").await;

        let page = app.anonymous(Method::GET, &consent(&app, &connection, "", "approve").await).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_strict_page(&page);
        assert!(page.text().await.unwrap().contains("Sandbox is connected"));

        set_redirect(&app, "https://elsewhere.example/done?c={companyId}", &["https://app.example"]).await;
        let outside = app.anonymous(Method::GET, connection["linkUrl"].as_str().unwrap().strip_prefix(PUBLIC).unwrap()).send().await.unwrap();
        assert_eq!(outside.status(), StatusCode::OK, "no redirect to an origin outside whiteListUrls");
    }

    async fn credential_platforms_are_not_supported_by_the_oauth_journey(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let connection = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        set_redirect(&app, "https://app.example/done?s={statusCode}&m={errorMessage}", &[]).await;

        let start = app.anonymous(Method::GET, connection["linkUrl"].as_str().unwrap().strip_prefix(PUBLIC).unwrap()).send().await.unwrap();

        assert_eq!(start.headers()["location"], "https://app.example/done?s=501&m=Not%20supported.");
    }

    async fn the_sandbox_refuses_requests_that_are_not_its_own(app: TestApp) {
        let bad = app.anonymous(Method::GET, "/sandbox/oauth/authorize?response_type=code&client_id=someone-else&redirect_uri=https://evil.example&state=s&code_challenge=abc&code_challenge_method=plain").send().await.unwrap();
        let token = app.anonymous(Method::POST, "/sandbox/oauth/token").form(&[("grant_type", "refresh_token"), ("refresh_token", "nope"), ("client_id", "link-api-sandbox"), ("client_secret", "link-api-sandbox-secret")]).send().await.unwrap();

        error_of(bad, StatusCode::BAD_REQUEST).await;
        assert_eq!(token.status(), StatusCode::BAD_REQUEST);
        assert_eq!(token.json::<Value>().await.unwrap()["error"], "invalid_grant");
    }
}
