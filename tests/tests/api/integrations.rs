use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores};

fn keys(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

fn encode(text: &str) -> String {
    text.replace(' ', "%20")
        .replace('&', "%26")
        .replace('=', "%3D")
        .replace('|', "%7C")
}

on_both_stores! {
    async fn the_catalogue_lists_the_named_platforms_with_the_contract_fields(app: TestApp) {
        let body = json_of(app.get("/integrations?pageSize=100").await, StatusCode::OK).await;

        let listed = keys(&body);
        for key in ["mqjo", "gbol", "qhyg", "pqsw", "hbql", "jcrp", "knfz", "tgff", "akxx", "trji", "fbrh", "vxvy", "pdvj",
                    "rwuv", "suuo", "upvr", "fztf", "zsth", "exgd", "qkdj", "ltpp"] {
            assert!(listed.contains(&key.to_owned()), "{key} is in the catalogue");
        }
        let xero = body["results"].as_array().unwrap().iter().find(|i| i["key"] == "gbol").unwrap();
        assert_eq!(xero["name"], "Xero");
        assert_eq!(xero["enabled"], true);
        assert_eq!(xero["sourceType"], "Accounting");
        assert_eq!(xero["isOfflineConnector"], false);
        assert_eq!(xero["authMethod"], "OAuth2");
        assert!(xero["logoUrl"].as_str().unwrap().starts_with("http://link.test/assets/integrations/gbol/"));
        assert!(uuid::Uuid::parse_str(xero["integrationId"].as_str().unwrap()).is_ok());
        assert!(uuid::Uuid::parse_str(xero["sourceId"].as_str().unwrap()).is_ok());
        assert!(xero["datatypeFeatures"][0]["dataType"].is_string());
        assert_eq!(body["totalResults"], listed.len());
    }

    async fn device_compatibility_and_credential_forms_are_data(app: TestApp) {
        let sage50 = json_of(app.get("/integrations/hbql").await, StatusCode::OK).await;
        let netsuite = json_of(app.get("/integrations/akxx").await, StatusCode::OK).await;
        let intacct = json_of(app.get("/integrations/knfz").await, StatusCode::OK).await;

        assert_eq!(sage50["deviceSupport"]["desktopOnly"], true);
        assert_eq!(sage50["isOfflineConnector"], true);
        assert_eq!(netsuite["deviceSupport"]["needsDesktopPackage"], true);
        assert_eq!(intacct["deviceSupport"]["mobileOptimized"], false);
        assert_eq!(intacct["authMethod"], "Credentials");
        let password = intacct["credentialFields"].as_array().unwrap().iter().find(|f| f["name"] == "password").unwrap();
        assert_eq!((password["type"].clone(), password["secret"].clone(), password["required"].clone()), (json!("password"), json!(true), json!(true)));
    }

    async fn the_query_filters_without_regard_to_case(app: TestApp) {
        let accounting = json_of(app.get(&format!("/integrations?query={}", encode("sourceType=Accounting && enabled=true"))).await, StatusCode::OK).await;
        let lower = json_of(app.get(&format!("/integrations?query={}", encode("sourceType=accounting&&enabled=TRUE"))).await, StatusCode::OK).await;
        let commerce = json_of(app.get(&format!("/integrations?query={}&orderBy=-key", encode("sourceType=commerce || name~plaid"))).await, StatusCode::OK).await;

        assert_eq!(keys(&accounting), keys(&lower));
        assert!(keys(&accounting).contains(&"gbol".to_owned()) && !keys(&accounting).contains(&"fztf".to_owned()));
        let listed = keys(&commerce);
        assert!(listed.contains(&"suuo".to_owned()) && listed.contains(&"fztf".to_owned()));
        let mut sorted = listed.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(listed, sorted, "ordered by key, descending");
    }

    async fn bad_integration_queries_and_keys_are_refused(app: TestApp) {
        error_of(app.get(&format!("/integrations?query={}", encode("colour=red"))).await, StatusCode::BAD_REQUEST).await;
        error_of(app.get(&format!("/integrations?query={}", encode("enabled=maybe"))).await, StatusCode::BAD_REQUEST).await;
        error_of(app.get("/integrations?orderBy=enabled").await, StatusCode::BAD_REQUEST).await;
        error_of(app.get("/integrations?pageSize=0").await, StatusCode::BAD_REQUEST).await;
        error_of(app.get("/integrations/zzzz").await, StatusCode::NOT_FOUND).await;
        error_of(app.get("/integrations/GBOL").await, StatusCode::BAD_REQUEST).await;
        error_of(app.get("/integrations/toolong/branding").await, StatusCode::BAD_REQUEST).await;
    }

    async fn integrations_are_paged(app: TestApp) {
        let all = json_of(app.get("/integrations").await, StatusCode::OK).await;
        let second = json_of(app.get("/integrations?page=2&pageSize=5").await, StatusCode::OK).await;

        assert_eq!(keys(&second), keys(&all)[5..10].to_vec());
        assert_eq!(second["_links"]["previous"]["href"], "/integrations?page=1&pageSize=5");
    }

    async fn branding_points_at_images_the_service_serves_without_a_key(app: TestApp) {
        let branding = json_of(app.get("/integrations/gbol/branding").await, StatusCode::OK).await;

        for image in [&branding["logo"]["full"], &branding["logo"]["square"], &branding["button"]["default"], &branding["button"]["hover"]] {
            let src = image["image"]["src"].as_str().unwrap();
            let path = src.strip_prefix("http://link.test").unwrap();
            let response = app.anonymous(Method::GET, path).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{src}");
            assert_eq!(response.headers()["content-type"], "image/svg+xml");
            assert!(response.text().await.unwrap().starts_with("<svg"));
        }
        error_of(app.anonymous(Method::GET, "/assets/integrations/gbol/other.svg").send().await.unwrap(), StatusCode::NOT_FOUND).await;
    }

    async fn a_client_can_disable_an_integration_for_its_customers_only(app: TestApp) {
        let other = app.with_key(&app.other_client_key().await);

        let updated = json_of(app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"enabled": false})).await, StatusCode::OK).await;

        assert_eq!(updated, json!({"platformKey": "gbol", "enabled": false, "hasOAuthClientSecret": false}));
        assert_eq!(json_of(app.get("/integrations/gbol").await, StatusCode::OK).await["enabled"], false);
        let enabled_only = json_of(app.get("/integrations?query=enabled%3Dtrue&pageSize=100").await, StatusCode::OK).await;
        assert!(!keys(&enabled_only).contains(&"gbol".to_owned()));
        assert_eq!(json_of(other.get("/integrations/gbol").await, StatusCode::OK).await["enabled"], true);
    }

    async fn an_oauth_application_is_stored_and_its_secret_never_returned(app: TestApp) {
        let body = json!({"oauthClientId": "my-app", "oauthClientSecret": "very-secret-value"});

        let updated = app.send_json(Method::PATCH, "/integrations/gbol/settings", &body).await;
        let text = updated.text().await.unwrap();
        let fetched = json_of(app.get("/integrations/gbol/settings").await, StatusCode::OK).await;
        let toggled = json_of(app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"enabled": false})).await, StatusCode::OK).await;

        assert!(!text.contains("very-secret-value"));
        assert_eq!(fetched, json!({"platformKey": "gbol", "enabled": true, "oauthClientId": "my-app", "hasOAuthClientSecret": true}));
        assert_eq!(toggled["oauthClientId"], "my-app", "other fields stay as they are");
        let removed = json_of(app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"oauthClientId": "", "oauthClientSecret": ""})).await, StatusCode::OK).await;
        assert_eq!(removed, json!({"platformKey": "gbol", "enabled": false, "hasOAuthClientSecret": false}));
    }

    async fn bad_integration_settings_are_refused(app: TestApp) {
        let half = app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"oauthClientId": "only-the-id"})).await;
        let not_oauth = app.send_json(Method::PATCH, "/integrations/knfz/settings", &json!({"oauthClientId": "a", "oauthClientSecret": "b"})).await;
        let wrong_type = app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"enabled": "yes"})).await;
        let unknown = app.send_json(Method::PATCH, "/integrations/zzzz/settings", &json!({"enabled": true})).await;

        assert_eq!(invalid_items(&error_of(half, StatusCode::BAD_REQUEST).await), ["oauthClientSecret"]);
        assert_eq!(invalid_items(&error_of(not_oauth, StatusCode::BAD_REQUEST).await), ["oauthClientId"]);
        error_of(wrong_type, StatusCode::BAD_REQUEST).await;
        error_of(unknown, StatusCode::NOT_FOUND).await;
        assert_eq!(json_of(app.get("/integrations/gbol/settings").await, StatusCode::OK).await["hasOAuthClientSecret"], false);
    }
}

/// Each integration's `readyForCustomers` and `notReadyReason`, by key.
async fn readiness(app: &tests::TestApp, keys: &[&str]) -> Vec<(bool, Option<String>)> {
    let body = json_of(app.get("/integrations?pageSize=100").await, StatusCode::OK).await;
    let all = body["results"].as_array().unwrap();
    keys.iter()
        .map(|key| {
            let found = all.iter().find(|i| i["key"] == *key).unwrap();
            (
                found["readyForCustomers"].as_bool().unwrap(),
                found["notReadyReason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

on_both_stores! {
    async fn only_what_a_customer_can_connect_now_is_ready_and_the_rest_says_why(app: TestApp) {
        let reason = |text: &str| (false, Some(text.to_owned()));
        let named = ["mqjo", "gbol", "knfz", "suuo", "exgd", "fztf", "pqsw"];

        assert_eq!(readiness(&app, &named).await, vec![(true, None), reason("NoOAuthApplication"), (true, None),
                                                      reason("ImportOnly"), reason("ImportOnly"), reason("ImportOnly"), (true, None)]);
        let registered = json!({"oauthClientId": "my-app", "oauthClientSecret": "very-secret-value"});
        json_of(app.send_json(Method::PATCH, "/integrations/gbol/settings", &registered).await, StatusCode::OK).await;
        json_of(app.send_json(Method::PATCH, "/integrations/knfz/settings", &json!({"enabled": false})).await, StatusCode::OK).await;
        assert_eq!(readiness(&app, &["gbol", "knfz"]).await, vec![(true, None), reason("Disabled")]);
        let ready = json_of(app.get(&format!("/integrations?pageSize=100&query={}", encode("readyForCustomers=true"))).await, StatusCode::OK).await;
        let ready = keys(&ready);
        assert!(ready.contains(&"gbol".to_owned()) && ready.contains(&"mqjo".to_owned()), "{ready:?}");
        assert!(!ready.iter().any(|k| ["knfz", "suuo", "exgd", "fztf", "qhyg"].contains(&k.as_str())), "{ready:?}");
        let quickbooks = json_of(app.get("/integrations/qhyg").await, StatusCode::OK).await;
        assert!(quickbooks["aliases"].as_array().unwrap().contains(&json!("qbo")), "{quickbooks}");
        assert_eq!(quickbooks["popularity"], 95);
        let single = json_of(app.get("/integrations/suuo").await, StatusCode::OK).await;
        assert_eq!((single["readyForCustomers"].as_bool(), single["notReadyReason"].as_str()), (Some(false), Some("ImportOnly")));
    }

    async fn a_journey_cannot_start_what_is_not_ready_nor_type_a_credential_that_is_the_clients(app: TestApp) {
        let company = app.new_company("Ready Rolls").await;
        app.consent(&company, &["accounting", "commerce"]).await;
        let journey = app.with_key(&app.company_token(&company).await);
        let connections = format!("/companies/{company}/connections");

        let xero = journey.post(&connections, &json!({"platformKey": "gbol"})).await;
        let refused = tests::refusal_of(xero, tests::ErrorCode::IntegrationNotReady).await;
        assert!(refused["error"].as_str().unwrap().contains("PUT /integrations/gbol/settings"), "{refused}");
        let stripe = journey.post(&connections, &json!({"platformKey": "exgd"})).await;
        tests::refusal_of(stripe, tests::ErrorCode::IntegrationNotReady).await;

        // The client's back end creates it and imports the credential; the journey may not type one in.
        let created = json_of(app.post(&connections, &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let authorization = format!("{connections}/{}/authorization", created["id"].as_str().unwrap());
        let key = json!({"apiKey": "rk_live_51HabcDEF1234567890"});
        let typed = journey.send_json(Method::PUT, &authorization, &key).await;
        tests::refusal_of(typed, tests::ErrorCode::CredentialsImportRequiresApiKey).await;
        let imported = json_of(app.send_json(Method::PUT, &authorization, &key).await, StatusCode::OK).await;
        assert_eq!(imported["status"], "Linked");
        // The API key may still create a connection to a platform whose application comes later.
        json_of(app.post(&connections, &json!({"platformKey": "gbol"})).await, StatusCode::OK).await;
    }
}

on_both_stores! {
    async fn a_desktop_platform_may_say_where_its_connector_is_downloaded(app: TestApp) {
        let set = |key: &str, url: &str| app.request(Method::PATCH, &format!("/integrations/{key}/settings")).json(&json!({"desktopConnectorUrl": url})).send();

        let saved = json_of(set("pqsw", "https://downloads.acme.example/qbd-connector").await.unwrap(), StatusCode::OK).await;
        assert_eq!(saved["desktopConnectorUrl"], "https://downloads.acme.example/qbd-connector");
        let shown = json_of(app.get("/integrations/pqsw").await, StatusCode::OK).await;
        assert_eq!(shown["desktopConnectorUrl"], "https://downloads.acme.example/qbd-connector");
        for (key, url) in [("pqsw", "http://downloads.acme.example/x"), ("pqsw", "https://user:pw@acme.example/x"), ("gbol", "https://acme.example/x")] {
            let refused = error_of(set(key, url).await.unwrap(), StatusCode::BAD_REQUEST).await;
            assert_eq!(invalid_items(&refused), ["desktopConnectorUrl"], "{key} {url}");
        }
        let removed = json_of(set("pqsw", "").await.unwrap(), StatusCode::OK).await;
        assert!(removed.get("desktopConnectorUrl").is_none());
    }
}
