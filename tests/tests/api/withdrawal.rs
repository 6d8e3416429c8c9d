//! Consent enforcement when linking, and the withdrawal cascade.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

const ALL: [&str; 3] = ["accounting", "banking", "commerce"];

async fn company(app: &TestApp) -> String {
    app.create_company(json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A new connection of `key`; returns its path.
async fn connection(app: &TestApp, company: &str, key: &str) -> String {
    let path = format!("/companies/{company}/connections");
    let created = json_of(
        app.post(&path, &json!({"platformKey": key})).await,
        StatusCode::OK,
    )
    .await;
    format!("{path}/{}", created["id"].as_str().unwrap())
}

/// What a connection of `key` is authorized with in these tests.
fn material(key: &str) -> Value {
    match key {
        "exgd" => json!({"apiKey": "rk_live_51HabcDEF1234567890"}),
        _ => json!({"accessToken": "at-1", "refreshToken": "rt-1", "expiresIn": "3600"}),
    }
}

async fn authorize(app: &TestApp, path: &str, key: &str) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        &format!("{path}/authorization"),
        &material(key),
    )
    .await
}

async fn linked(app: &TestApp, company: &str, key: &str) -> String {
    let path = connection(app, company, key).await;
    let body = json_of(authorize(app, &path, key).await, StatusCode::OK).await;
    assert_eq!(body["status"], "Linked");
    path
}

async fn status(app: &TestApp, path: &str) -> String {
    json_of(app.get(path).await, StatusCode::OK).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn withdraw(app: &TestApp, company: &str, consent: &Value) -> reqwest::Response {
    let id = consent["id"].as_str().unwrap();
    app.post(
        &format!("/companies/{company}/consents/{id}/withdraw"),
        &json!({"actor": {"name": "Ada Lovelace", "email": "ada@example.com"}, "locale": "en-GB"}),
    )
    .await
}

async fn secrets(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM connection_secrets").await
}

on_both_stores! {
    async fn linking_needs_an_active_consent_for_the_connections_category(app: TestApp) {
        let company = company(&app).await;
        let path = connection(&app, &company, "exgd").await;

        let refused = error_of(authorize(&app, &path, "exgd").await, StatusCode::FORBIDDEN).await;
        app.consent(&company, &["accounting", "banking"]).await;
        let still = authorize(&app, &path, "exgd").await;

        assert!(refused["error"].as_str().unwrap().contains("consented to share commerce data"), "{refused}");
        assert_eq!(refused["canBeRetried"], "No");
        error_of(still, StatusCode::FORBIDDEN).await;
        assert_eq!(status(&app, &path).await, "PendingAuth");
        assert_eq!(secrets(&app).await, 0, "nothing was stored for a refused link");
        app.consent(&company, &["commerce"]).await;
        assert_eq!(json_of(authorize(&app, &path, "exgd").await, StatusCode::OK).await["status"], "Linked");
    }

    async fn turning_the_requirement_off_links_without_consent(app: TestApp) {
        let company = company(&app).await;
        let path = connection(&app, &company, "exgd").await;

        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"consentRequired": false})).await, StatusCode::OK).await;

        assert_eq!(json_of(authorize(&app, &path, "exgd").await, StatusCode::OK).await["status"], "Linked");
    }

    async fn a_withdrawal_deauthorizes_destroys_secrets_and_returns_a_receipt(app: TestApp) {
        let company = company(&app).await;
        let books_and_shop = app.consent(&company, &["accounting", "commerce"]).await;
        app.consent(&company, &["banking"]).await;
        let books = linked(&app, &company, "gbol").await;
        let shop = linked(&app, &company, "exgd").await;
        let old_shop = linked(&app, &company, "exgd").await;
        json_of(app.send_json(Method::PATCH, &old_shop, &json!({"status": "Unlinked"})).await, StatusCode::OK).await;
        let pending_shop = connection(&app, &company, "exgd").await;
        let bank = linked(&app, &company, "upvr").await;
        assert_eq!(secrets(&app).await, 4);

        let receipt = json_of(withdraw(&app, &company, &books_and_shop).await, StatusCode::OK).await;

        assert_eq!(receipt["withdrawnCategories"], json!(["accounting", "commerce"]));
        assert_eq!(receipt["stillConsented"], json!([]));
        let withdrawal = &receipt["withdrawal"];
        assert_eq!((withdrawal["kind"].clone(), withdrawal["withdraws"].clone(), withdrawal["sequence"].clone()), (json!("Withdrawn"), books_and_shop["id"].clone(), json!(3)));
        assert_eq!((withdrawal["actorName"].clone(), withdrawal["locale"].clone()), (json!("Ada Lovelace"), json!("en-GB")));
        let mut done: Vec<(String, String, String, bool)> = receipt["connections"].as_array().unwrap().iter().map(|c| {
            (c["id"].as_str().unwrap().to_owned(), c["previousStatus"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned(), c["credentialsDestroyed"].as_bool().unwrap())
        }).collect();
        done.sort();
        let id = |path: &str| path.rsplit('/').next().unwrap().to_owned();
        let mut expected = vec![
            (id(&books), "Linked".to_owned(), "Deauthorized".to_owned(), true),
            (id(&shop), "Linked".to_owned(), "Deauthorized".to_owned(), true),
            (id(&old_shop), "Unlinked".to_owned(), "Unlinked".to_owned(), true),
            (id(&pending_shop), "PendingAuth".to_owned(), "PendingAuth".to_owned(), false),
        ];
        expected.sort();
        assert_eq!(done, expected);
        assert_eq!((status(&app, &books).await, status(&app, &shop).await, status(&app, &bank).await), ("Deauthorized".into(), "Deauthorized".into(), "Linked".into()));
        assert_eq!(secrets(&app).await, 1, "only the banking connection keeps its tokens");
        let history = json_of(app.get(&format!("{books}/history")).await, StatusCode::OK).await;
        assert_eq!(history["results"].as_array().unwrap().last().unwrap()["cause"], "ConsentWithdrawn");
        let verified = json_of(app.get(&format!("/companies/{company}/consents/verify")).await, StatusCode::OK).await;
        assert_eq!(verified, json!({"valid": true, "records": 3}));
        error_of(authorize(&app, &books, "gbol").await, StatusCode::FORBIDDEN).await;
    }

    async fn a_category_another_consent_covers_keeps_its_connections(app: TestApp) {
        let company = company(&app).await;
        let first = app.consent(&company, &["accounting"]).await;
        app.consent(&company, &["accounting", "banking"]).await;
        let books = linked(&app, &company, "gbol").await;

        let receipt = json_of(withdraw(&app, &company, &first).await, StatusCode::OK).await;

        assert_eq!((receipt["withdrawnCategories"].clone(), receipt["stillConsented"].clone()), (json!([]), json!(["accounting"])));
        assert_eq!(receipt["connections"], json!([]));
        assert_eq!(status(&app, &books).await, "Linked");
        assert_eq!(secrets(&app).await, 1);
    }

    async fn withdrawals_that_cannot_be_made_are_refused_and_change_nothing(app: TestApp) {
        let company = company(&app).await;
        let other = self::company(&app).await;
        let consent = app.consent(&company, &ALL).await;
        let books = linked(&app, &company, "gbol").await;
        let receipt = json_of(withdraw(&app, &company, &consent).await, StatusCode::OK).await;
        let withdraw_path = |company: &str, id: &str| format!("/companies/{company}/consents/{id}/withdraw");

        let again = error_of(withdraw(&app, &company, &consent).await, StatusCode::CONFLICT).await;
        let of_a_withdrawal = error_of(withdraw(&app, &company, &receipt["withdrawal"]).await, StatusCode::CONFLICT).await;
        let unknown = app.post(&withdraw_path(&company, &uuid::Uuid::new_v4().to_string()), &json!({})).await;
        let elsewhere = app.post(&withdraw_path(&other, consent["id"].as_str().unwrap()), &json!({})).await;
        let bad_email = app.post(&withdraw_path(&company, consent["id"].as_str().unwrap()), &json!({"actor": {"email": "not-an-email"}})).await;
        let not_json = app.request(Method::POST, &withdraw_path(&company, consent["id"].as_str().unwrap())).body("{").header("content-type", "application/json").send().await.unwrap();
        let other_client = app.with_key(&app.other_client_key().await).post(&withdraw_path(&company, consent["id"].as_str().unwrap()), &json!({})).await;

        assert!(again["error"].as_str().unwrap().contains("already withdrawn"), "{again}");
        assert!(of_a_withdrawal["error"].as_str().unwrap().contains("only a consent can be withdrawn"), "{of_a_withdrawal}");
        assert!(error_of(unknown, StatusCode::NOT_FOUND).await["error"].as_str().unwrap().starts_with("Consent "));
        error_of(elsewhere, StatusCode::NOT_FOUND).await;
        assert_eq!(invalid_items(&error_of(bad_email, StatusCode::BAD_REQUEST).await), ["actor.email"]);
        error_of(not_json, StatusCode::BAD_REQUEST).await;
        error_of(other_client, StatusCode::NOT_FOUND).await;
        let ledger = json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        assert_eq!(ledger["results"].as_array().unwrap().len(), 2, "only the one withdrawal was recorded");
        assert_eq!(status(&app, &books).await, "Deauthorized");
    }

    async fn a_withdrawal_needs_no_body(app: TestApp) {
        let company = company(&app).await;
        let consent = app.consent(&company, &["banking"]).await;
        let id = consent["id"].as_str().unwrap();

        let response = app.request(Method::POST, &format!("/companies/{company}/consents/{id}/withdraw")).send().await.unwrap();

        let receipt = json_of(response, StatusCode::OK).await;
        assert_eq!(receipt["withdrawnCategories"], json!(["banking"]));
        assert!(receipt["withdrawal"].get("actorName").is_none());
    }

    async fn a_withdrawal_racing_a_link_never_leaves_the_connection_linked(app: TestApp) {
        let company = company(&app).await;
        for round in 0..6 {
            let consent = app.consent(&company, &["commerce"]).await;
            let path = connection(&app, &company, "exgd").await;

            let (withdrawn, authorized) = tokio::join!(withdraw(&app, &company, &consent), authorize(&app, &path, "exgd"));

            assert_eq!(withdrawn.status(), StatusCode::OK, "round {round}");
            assert!([StatusCode::OK, StatusCode::FORBIDDEN].contains(&authorized.status()), "round {round}: {}", authorized.status());
            let now = status(&app, &path).await;
            assert_ne!(now, "Linked", "round {round}: linked after its consent was withdrawn");
            assert_eq!(now, if authorized.status() == StatusCode::OK { "Deauthorized" } else { "PendingAuth" }, "round {round}");
        }
        assert_eq!(secrets(&app).await, 0);
    }
}
