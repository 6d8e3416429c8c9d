//! The hosted journey's server side: the page at a company's `redirect`, its
//! company token, its assets, the OAuth hand-off back to it, and its end.
//! (The journey itself runs in a real browser: `web/test/`.)

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{json_of, on_both_stores, TestApp};

const PUBLIC: &str = "http://link.test";

fn local(url: &str) -> String {
    url.strip_prefix(PUBLIC).unwrap_or(url).to_owned()
}

fn meta(page: &str, name: &str) -> String {
    let marker = format!("<meta name=\"{name}\" content=\"");
    let start = page.find(&marker).unwrap() + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn open(app: &TestApp, company: &Value) -> (reqwest::header::HeaderMap, String) {
    let page = app
        .anonymous(Method::GET, &local(company["redirect"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    (headers, page.text().await.unwrap())
}

async fn set_redirect(app: &TestApp, template: &str) {
    let profile = json!({"name": "Acme Lending", "redirectUrl": template, "whiteListUrls": []});
    json_of(
        app.send_json(Method::PUT, "/profile", &profile).await,
        StatusCode::OK,
    )
    .await;
}

on_both_stores! {
    async fn a_companys_redirect_opens_its_journey_with_a_token_for_that_company_alone(app: TestApp) {
        let company = app.create_company(json!({"name": "Bolt Cycles"})).await;
        let other = app.new_company("Other").await;
        let id = company["id"].as_str().unwrap();

        let (headers, page) = open(&app, &company).await;

        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(meta(&page, "link-api-company"), id);
        assert!(page.contains("<script type=\"module\" src=\"/link/assets/hosted.js?v="), "{page}");
        let browser = app.with_key(&meta(&page, "link-api-token"));
        json_of(browser.get(&format!("/companies/{id}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(json_of(browser.get("/profile").await, StatusCode::OK).await["name"], "Default client");
        assert_eq!(browser.get(&format!("/companies/{other}/linkStatus")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(browser.get("/companies").await.status(), StatusCode::FORBIDDEN);
        let same_origin = browser.request(Method::POST, &format!("/companies/{id}/consents"))
            .header("origin", PUBLIC).json(&json!({"categories": ["accounting"]})).send().await.unwrap();
        assert_eq!(same_origin.status(), StatusCode::CREATED, "the page's own origin needs no CORS settings");
    }

    async fn the_bundle_is_served_from_the_binary_and_cached_for_good(app: TestApp) {
        let script = app.anonymous(Method::GET, "/link/assets/hosted.js").send().await.unwrap();
        let style = app.anonymous(Method::GET, "/link/assets/hosted.css").send().await.unwrap();
        let missing = app.anonymous(Method::GET, "/link/assets/other.js").send().await.unwrap();

        assert_eq!(script.status(), StatusCode::OK);
        assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert_eq!(script.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(script.text().await.unwrap().len() > 1000);
        assert!(style.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        tests::error_of(missing, StatusCode::NOT_FOUND).await;
    }

    async fn a_link_to_no_company_answers_a_page_that_says_so(app: TestApp) {
        let unknown = app.anonymous(Method::GET, "/link/company/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41").send().await.unwrap();
        let malformed = app.anonymous(Method::GET, "/link/company/not-an-id").send().await.unwrap();

        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        assert!(unknown.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(unknown.text().await.unwrap().contains("Company not found"));
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        assert!(malformed.text().await.unwrap().contains("This link is not valid"));
    }

    async fn the_oauth_hand_off_returns_to_the_hosted_journey_when_it_started_there(app: TestApp) {
        set_redirect(&app, "https://app.example/done?s={statusCode}").await;
        let (company, connection) = app.consented_connection("mqjo").await;
        let link = local(connection["linkUrl"].as_str().unwrap());

        let start = app.anonymous(Method::GET, &format!("{link}?linkReturn=hosted&ref=order-42")).send().await.unwrap();
        let decided = app.sandbox_decision(&local(start.headers()["location"].to_str().unwrap()), "approve").await;
        let back = app.anonymous(Method::GET, &local(decided.headers()["location"].to_str().unwrap())).send().await.unwrap();

        let location = back.headers()["location"].to_str().unwrap();
        let id = connection["id"].as_str().unwrap();
        assert_eq!(location, format!("{PUBLIC}/link/company/{company}?ref=order-42&connectionId={id}&statusCode=200&statusText=Linked"));
        assert_eq!(app.fetch_connection(&company, &connection).await["status"], "Linked");
    }

    async fn the_end_of_the_journey_sends_the_customer_to_the_clients_redirect_url(app: TestApp) {
        let company = app.new_company("Bolt Cycles").await;
        let finish = format!("/link/company/{company}/finish?ref=order%2042");

        let without = app.anonymous(Method::GET, &finish).send().await.unwrap();
        set_redirect(&app, "https://app.example/done?c={companyId}&s={statusCode}&ref={ref}").await;
        let with = app.anonymous(Method::GET, &finish).send().await.unwrap();

        assert_eq!(without.status(), StatusCode::OK);
        assert!(without.text().await.unwrap().contains("All done"));
        assert_eq!(with.status(), StatusCode::FOUND);
        assert_eq!(with.headers()["location"], format!("https://app.example/done?c={company}&s=200&ref=order%2042"));
    }
}

on_both_stores! {
    async fn a_customer_may_abandon_an_unfinished_connection_but_no_other(app: TestApp) {
        let (company, pending) = app.consented_connection("mqjo").await;
        let linked = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let linked_path = format!("/companies/{company}/connections/{}", linked["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{linked_path}/authorization"), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await, StatusCode::OK).await;
        let browser = app.with_key(&app.company_token(&company).await);

        let abandoned = browser.delete(&format!("/companies/{company}/connections/{}", pending["id"].as_str().unwrap())).await;
        let refused = browser.delete(&linked_path).await;

        assert_eq!(abandoned.status(), StatusCode::OK);
        tests::error_of(refused, StatusCode::FORBIDDEN).await;
        let left = json_of(app.get(&format!("/companies/{company}/connections")).await, StatusCode::OK).await;
        assert_eq!(left["totalResults"], 1);
        assert_eq!(left["results"][0]["status"], "Linked");
    }
}

on_both_stores! {
    async fn the_hosted_journey_settings_have_defaults_and_are_checked(app: TestApp) {
        let defaults = json_of(app.get("/linkSettings").await, StatusCode::OK).await;
        let bad = app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"primaryColour": "blue", "primaryColourDark": "#12345", "helpUrl": "ftp://help"}})).await;
        let chosen = json!({"showLandingPage": false, "showSandbox": false, "showSecuredBy": false, "primaryColour": "#ffd000", "helpUrl": "https://help.example/link"});
        let saved = json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": chosen})).await, StatusCode::OK).await;

        assert_eq!(defaults["hostedJourney"], json!({"showLandingPage": true, "showSandbox": true, "showSecuredBy": true}));
        let refused = tests::error_of(bad, StatusCode::BAD_REQUEST).await;
        let mut fields = tests::invalid_items(&refused);
        fields.sort();
        assert_eq!(fields, ["hostedJourney.helpUrl", "hostedJourney.primaryColour", "hostedJourney.primaryColourDark"]);
        assert_eq!(saved["hostedJourney"], chosen);
        let company = app.new_company("Acme").await;
        let browser = app.with_key(&app.company_token(&company).await);
        assert_eq!(json_of(browser.get("/linkSettings").await, StatusCode::OK).await["hostedJourney"], chosen, "the journey reads them with its token");
        let texts = json!({"en": {"landingTitle": "Hello {client}"}, "fr-CA": {"start": "Allons-y"}});
        let worded = json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"texts": texts}})).await, StatusCode::OK).await;
        assert_eq!(worded["hostedJourney"]["texts"], texts);
        let wrong = app.send_json(Method::PUT, "/linkSettings", &json!({"hostedJourney": {"texts": {
            "not a locale": {"start": "Go"}, "de": {"colour": "Blau", "landingBody": "x".repeat(501)}}}})).await;
        let mut wrong_fields = tests::invalid_items(&tests::error_of(wrong, StatusCode::BAD_REQUEST).await);
        wrong_fields.sort();
        assert_eq!(wrong_fields, ["hostedJourney.texts.de.colour", "hostedJourney.texts.de.landingBody", "hostedJourney.texts.not a locale"]);
    }
}
