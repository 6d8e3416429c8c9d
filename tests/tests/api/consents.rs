use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

async fn company(app: &TestApp) -> String {
    app.create_company(json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn consent(app: &TestApp, company: &str, body: Value) -> reqwest::Response {
    app.request(Method::POST, &format!("/companies/{company}/consents"))
        .header("user-agent", "journey-ui/1.0")
        .json(&body)
        .send()
        .await
        .unwrap()
}

on_both_stores! {
    async fn a_consent_is_recorded_with_what_was_shown_and_who_gave_it(app: TestApp) {
        let company = company(&app).await;

        let body = json!({"categories": ["accounting"], "actor": {"name": "Ada Lovelace", "email": "ada@example.com"}, "locale": "en-GB"});
        let record = json_of(consent(&app, &company, body).await, StatusCode::CREATED).await;

        assert_eq!((record["sequence"].clone(), record["kind"].clone(), record["settingsVersion"].clone()), (json!(1), json!("Granted"), json!(0)));
        assert_eq!(record["categories"], json!(["accounting"]));
        assert!(record["dataTypes"].as_array().unwrap().contains(&json!("invoices")));
        assert_eq!((record["actorName"].clone(), record["actorEmail"].clone(), record["locale"].clone()), (json!("Ada Lovelace"), json!("ada@example.com"), json!("en-GB")));
        assert_eq!(record["ip"], "127.0.0.1");
        assert_eq!(record["userAgent"], "journey-ui/1.0");
        assert_eq!(record["previousHash"], "0".repeat(64));
        assert_eq!(record["textHash"].as_str().unwrap().len(), 64);
    }

    async fn records_chain_and_the_chain_verifies(app: TestApp) {
        let company = company(&app).await;
        let first = json_of(consent(&app, &company, json!({"categories": ["accounting"]})).await, StatusCode::CREATED).await;

        let second = json_of(consent(&app, &company, json!({"categories": ["banking", "commerce"]})).await, StatusCode::CREATED).await;

        assert_eq!(second["previousHash"], first["hash"]);
        let ledger = json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        assert_eq!(ledger["results"], json!([first, second]));
        let verified = json_of(app.get(&format!("/companies/{company}/consents/verify")).await, StatusCode::OK).await;
        assert_eq!(verified, json!({"valid": true, "records": 2}));
    }

    async fn an_edited_record_is_detected(app: TestApp) {
        let company = company(&app).await;
        for categories in [json!(["accounting"]), json!(["banking"]), json!(["commerce"])] {
            json_of(consent(&app, &company, json!({"categories": categories, "actor": {"name": "Ada"}})).await, StatusCode::CREATED).await;
        }

        app.execute_sql("UPDATE consents SET actor_name = 'Mallory' WHERE sequence = 2").await;

        let verified = json_of(app.get(&format!("/companies/{company}/consents/verify")).await, StatusCode::OK).await;
        assert_eq!((verified["valid"].clone(), verified["brokenAt"].clone()), (json!(false), json!(2)));
    }

    async fn invalid_consents_are_refused_and_nothing_is_recorded(app: TestApp) {
        let company = company(&app).await;

        let errors = error_of(consent(&app, &company, json!({"categories": ["payroll"], "actor": {"email": "not-an-email"}})).await, StatusCode::BAD_REQUEST).await;
        let empty = error_of(consent(&app, &company, json!({"categories": []})).await, StatusCode::BAD_REQUEST).await;
        let version = error_of(consent(&app, &company, json!({"categories": ["accounting"], "settingsVersion": 9})).await, StatusCode::BAD_REQUEST).await;

        assert_eq!(invalid_items(&errors), ["categories", "actor.email"]);
        assert_eq!(invalid_items(&empty), ["categories"]);
        assert_eq!(invalid_items(&version), ["settingsVersion"]);
        assert_eq!(json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await["results"], json!([]));
        error_of(consent(&app, &uuid::Uuid::new_v4().to_string(), json!({"categories": ["accounting"]})).await, StatusCode::NOT_FOUND).await;
    }

    async fn a_consent_keeps_the_texts_and_data_types_a_journey_showed_in_place_of_the_settings(app: TestApp) {
        let company = company(&app).await;
        let plain = json_of(consent(&app, &company, json!({"categories": ["accounting"]})).await, StatusCode::CREATED).await;
        let settings = json_of(app.get("/linkSettings").await, StatusCode::OK).await;
        let own = settings["categories"]["accounting"].clone();

        let same = json_of(consent(&app, &company, json!({"categories": ["accounting"],
            "shown": {"accounting": {"consentTexts": own["consentTexts"], "dataTypes": own["dataTypes"]}}})).await, StatusCode::CREATED).await;
        let reworded = json_of(consent(&app, &company, json!({"categories": ["accounting", "banking"],
            "shown": {"accounting": {"consentTexts": {"purpose": "To price your loan."}, "dataTypes": ["invoices", "bills"]}}})).await, StatusCode::CREATED).await;

        assert_eq!(same["textHash"], plain["textHash"], "the settings' own texts, sent back, are the settings' texts");
        assert!(same.get("shownTexts").is_none());
        assert_ne!(reworded["textHash"], plain["textHash"]);
        let shown = &reworded["shownTexts"];
        assert_eq!(shown.as_object().unwrap().keys().collect::<Vec<_>>(), ["accounting"], "banking showed the settings' texts");
        assert_eq!(shown["accounting"]["purpose"], "To price your loan.");
        assert_eq!(shown["accounting"]["retention"], own["consentTexts"]["retention"], "a text left out is the settings'");
        let banking = settings["categories"]["banking"]["dataTypes"].as_array().unwrap().clone();
        assert_eq!(reworded["dataTypes"], json!([["invoices", "bills"].map(Value::from).to_vec(), banking].concat()));
        let ledger = json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        assert_eq!(ledger["results"][2], reworded, "read back as recorded");
        let verified = json_of(app.get(&format!("/companies/{company}/consents/verify")).await, StatusCode::OK).await;
        assert_eq!(verified["valid"], true);

        app.execute_sql("UPDATE consents SET shown_texts = replace(shown_texts, 'your loan', 'anything') WHERE sequence = 3").await;
        let verified = json_of(app.get(&format!("/companies/{company}/consents/verify")).await, StatusCode::OK).await;
        assert_eq!((verified["valid"].clone(), verified["brokenAt"].clone()), (json!(false), json!(3)), "an edited reworded text breaks the chain");
    }

    async fn a_rewording_beyond_the_consent_or_the_limits_is_refused(app: TestApp) {
        let company = company(&app).await;
        let long = "x".repeat(4001);

        let errors = error_of(consent(&app, &company, json!({"categories": ["accounting"],
            "shown": {"banking": {"dataTypes": ["x"]}, "payroll": {},
                      "accounting": {"consentTexts": {"access": long}, "dataTypes": ["", "invoices"]}}})).await, StatusCode::BAD_REQUEST).await;
        let shape = error_of(consent(&app, &company, json!({"categories": ["accounting"], "shown": {"accounting": {"dataTypes": "invoices"}}})).await, StatusCode::BAD_REQUEST).await;

        assert_eq!(invalid_items(&errors), ["shown.banking", "shown.payroll", "shown.accounting.dataTypes", "shown.accounting.consentTexts.access"]);
        assert!(shape["error"].as_str().unwrap().contains("at `shown.accounting.dataTypes`"), "{shape}");
        assert_eq!(json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await["results"], json!([]));
    }

    async fn the_journey_ui_records_consent_with_a_company_token(app: TestApp) {
        let company = company(&app).await;
        let other = self::company(&app).await;
        let token = json_of(app.get(&format!("/companies/{company}/accessToken")).await, StatusCode::OK).await["accessToken"].as_str().unwrap().to_owned();

        let recorded = app.anonymous(Method::POST, &format!("/companies/{company}/consents")).bearer_auth(&token).json(&json!({"categories": ["accounting"]})).send().await.unwrap();
        let elsewhere = app.anonymous(Method::POST, &format!("/companies/{other}/consents")).bearer_auth(&token).json(&json!({"categories": ["accounting"]})).send().await.unwrap();

        json_of(recorded, StatusCode::CREATED).await;
        error_of(elsewhere, StatusCode::NOT_FOUND).await;
    }

    async fn concurrent_consents_keep_one_unbroken_chain(app: TestApp) {
        let company = company(&app).await;

        let attempts: Vec<_> = (0..8)
            .map(|_| tokio::spawn(app.request(Method::POST, &format!("/companies/{company}/consents")).json(&json!({"categories": ["accounting"]})).send()))
            .collect();
        let mut created = 0;
        for attempt in attempts {
            let status = attempt.await.unwrap().unwrap().status();
            assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT, "{status}");
            created += usize::from(status == StatusCode::CREATED);
        }

        let verified = json_of(app.get(&format!("/companies/{company}/consents/verify")).await, StatusCode::OK).await;
        assert_eq!(verified, json!({"valid": true, "records": created}));
        assert!(created >= 1);
    }
}
