use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

fn accounting(texts_purpose: &str) -> Value {
    json!({"required": true, "integrations": ["gbol", "mqjo"], "dataTypes": ["invoices"],
           "consentTexts": {"purpose": texts_purpose, "access": "Read only.", "accountInformation": "Ledger accounts.",
                            "platformData": "Invoices.", "retention": "Twelve months."}})
}

async fn put(app: &TestApp, body: &Value) -> reqwest::Response {
    app.send_json(Method::PUT, "/linkSettings", body).await
}

on_both_stores! {
    async fn the_defaults_are_version_zero_with_consent_required(app: TestApp) {
        let settings = json_of(app.get("/linkSettings").await, StatusCode::OK).await;

        assert_eq!(settings["version"], 0);
        assert_eq!(settings["consentRequired"], true);
        assert_eq!(settings["categories"]["accounting"]["required"], true);
        assert_eq!(settings["categories"]["banking"]["required"], false);
        assert!(settings["categories"]["commerce"]["consentTexts"]["retention"].is_string());
        assert!(settings.get("created").is_none());
    }

    async fn every_change_is_a_new_version_and_old_ones_stay_readable(app: TestApp) {
        let first = json_of(put(&app, &json!({"termsUrl": "https://app.example/terms", "categories": {"accounting": accounting("First.")}})).await, StatusCode::OK).await;
        let second = json_of(put(&app, &json!({"consentRequired": false, "categories": {"accounting": accounting("Second.")}})).await, StatusCode::OK).await;

        assert_eq!((first["version"].clone(), second["version"].clone()), (json!(1), json!(2)));
        let latest = json_of(app.get("/linkSettings").await, StatusCode::OK).await;
        assert_eq!(latest, second);
        assert_eq!(latest["consentRequired"], false);
        let old = json_of(app.get("/linkSettings/versions/1").await, StatusCode::OK).await;
        assert_eq!(old, first);
        assert_eq!(old["categories"]["accounting"]["consentTexts"]["purpose"], "First.");
        assert_eq!(old["categories"]["banking"]["required"], false, "a category left out takes its default");
        assert_eq!(json_of(app.get("/linkSettings/versions/0").await, StatusCode::OK).await["version"], 0);
        error_of(app.get("/linkSettings/versions/9").await, StatusCode::NOT_FOUND).await;
        error_of(app.get("/linkSettings/versions/x").await, StatusCode::BAD_REQUEST).await;
    }

    async fn invalid_link_settings_are_refused_with_every_problem(app: TestApp) {
        let mut wrong_category = accounting("x");
        wrong_category["integrations"] = json!(["suuo", "zzzz"]);
        let mut long = accounting("x");
        long["integrations"] = json!(["suuo"]);
        long["consentTexts"]["retention"] = json!("r".repeat(4001));
        let body = json!({"termsUrl": "javascript:alert(1)", "categories": {"accounting": wrong_category, "banking": long}});

        let error = error_of(put(&app, &body).await, StatusCode::BAD_REQUEST).await;

        assert_eq!(invalid_items(&error), ["termsUrl", "categories.accounting.integrations", "categories.accounting.integrations", "categories.banking.consentTexts.retention"]);
        error_of(put(&app, &json!({"categories": {"accounting": {"required": "yes"}}})).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(json_of(app.get("/linkSettings").await, StatusCode::OK).await["version"], 0, "nothing changed");
    }

    async fn a_company_token_reads_link_settings_but_cannot_change_them(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let token = json_of(app.get(&format!("/companies/{company}/accessToken")).await, StatusCode::OK).await["accessToken"].as_str().unwrap().to_owned();

        let read = app.anonymous(Method::GET, "/linkSettings").bearer_auth(&token).send().await.unwrap();
        let write = app.anonymous(Method::PUT, "/linkSettings").bearer_auth(&token).json(&json!({})).send().await.unwrap();

        assert_eq!(json_of(read, StatusCode::OK).await["version"], 0);
        error_of(write, StatusCode::FORBIDDEN).await;
    }

    async fn link_settings_belong_to_one_client(app: TestApp) {
        json_of(put(&app, &json!({"categories": {"accounting": accounting("Mine.")}})).await, StatusCode::OK).await;
        let other = app.with_key(&app.other_client_key().await);

        assert_eq!(json_of(other.get("/linkSettings").await, StatusCode::OK).await["version"], 0);
        error_of(other.get("/linkSettings/versions/1").await, StatusCode::NOT_FOUND).await;
    }
}

on_both_stores! {
    async fn consent_texts_come_in_the_customers_language_the_defaults_in_four(app: TestApp) {
        let defaults = json_of(app.get("/linkSettings").await, StatusCode::OK).await;
        let banking = &defaults["categories"]["banking"];

        assert_eq!(banking["localizedConsentTexts"]["fr"]["access"], "Nous lisons vos données bancaires ; nous ne les modifions jamais.");
        assert_eq!(banking["localizedConsentTexts"]["de"]["access"], "Wir lesen Ihre Bankdaten; wir ändern sie nie.");
        assert_eq!(banking["localizedConsentTexts"]["es"]["access"], "Leemos sus datos bancarios; nunca los modificamos.");
        assert_eq!(banking["localizedConsentTexts"]["ar"]["access"], "نقرأ بياناتك المصرفية؛ ولا نغيّرها أبدًا.");

        // The defaults kept, one language worded by the client: Link API's others stay.
        let mut settings = defaults.clone();
        let own = json!({"purpose": "Pour étudier votre prêt.", "access": "Lecture seule.", "accountInformation": "Vos comptes.",
                         "platformData": "Vos relevés.", "retention": "Douze mois."});
        settings["categories"]["banking"]["localizedConsentTexts"] = json!({"fr-CA": own});
        let saved = json_of(put(&app, &settings).await, StatusCode::OK).await;
        let localized = &saved["categories"]["banking"]["localizedConsentTexts"];
        assert_eq!(localized["fr-CA"], own);
        assert!(localized["de"].is_object() && localized["fr"].is_object());

        // Texts of the client's own: no translation of Link API's stands in for them.
        let reworded = json_of(put(&app, &json!({"categories": {"accounting": accounting("To price your loan.")}})).await, StatusCode::OK).await;
        assert!(reworded["categories"]["accounting"].get("localizedConsentTexts").is_none(), "{reworded}");

        let bad = json!({"categories": {"accounting": {"required": true, "consentTexts": {"purpose": "x"},
            "localizedConsentTexts": {"not a locale": {"purpose": "x"}, "de": {"purpose": "a\u{0}b", "retention": "y".repeat(4001)}}}}});
        let refused = error_of(put(&app, &bad).await, StatusCode::BAD_REQUEST).await;
        let mut items = invalid_items(&refused);
        items.sort();
        assert_eq!(items, ["categories.accounting.localizedConsentTexts.de.purpose", "categories.accounting.localizedConsentTexts.de.retention",
                           "categories.accounting.localizedConsentTexts.not a locale"]);
    }
}
