//! Exporting everything held about a company, and what deleting it keeps.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, json_of, on_both_stores};

const CREDENTIAL: &str = "rk_live_EXPORTSECRET1234567";

on_both_stores! {
    async fn an_export_holds_everything_about_a_company_but_its_secrets(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme", "tags": {"region": "uk"}})).await["id"].as_str().unwrap().to_owned();
        let consent = app.consent(&company, &["commerce"]).await;
        let shop = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let path = format!("/companies/{company}/connections/{}", shop["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{path}/authorization"), &json!({"apiKey": CREDENTIAL})).await, StatusCode::OK).await;
        json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"})).await, StatusCode::CREATED).await;
        json_of(app.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": false, "email": "owner@acme.example"})).await, StatusCode::OK).await;
        let id = consent["id"].as_str().unwrap();
        json_of(app.post(&format!("/companies/{company}/consents/{id}/withdraw"), &json!({})).await, StatusCode::OK).await;

        let response = app.get(&format!("/companies/{company}/export")).await;
        let text = response.text().await.unwrap();
        let export: serde_json::Value = serde_json::from_str(&text).unwrap();

        assert!(!text.contains(CREDENTIAL), "no secret is exported");
        assert_eq!((export["company"]["name"].clone(), export["company"]["tags"].clone()), (json!("Acme"), json!({"region": "uk"})));
        assert_eq!(export["connections"][0]["id"], shop["id"]);
        assert_eq!(export["connections"][0]["status"], "Deauthorized");
        let causes: Vec<&str> = export["connections"][0]["history"].as_array().unwrap().iter().map(|h| h["cause"].as_str().unwrap()).collect();
        assert_eq!(causes, ["Created", "Authorized", "ConsentWithdrawn"]);
        assert_eq!(export["consents"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["Granted", "Withdrawn"]);
        assert_eq!(export["invitations"].as_array().unwrap().len(), 1);
        assert!(export["invitations"][0].get("shareUrl").is_none());
        assert_eq!((export["reminders"]["enabled"].clone(), export["reminders"]["email"].clone()), (json!(false), json!("owner@acme.example")));
        let types: Vec<&str> = export["events"].as_array().unwrap().iter().map(|e| e["eventType"].as_str().unwrap()).collect();
        assert_eq!(types.first(), Some(&"company.created"), "oldest first: {types:?}");
        assert!(types.contains(&"consent.withdrawn") && types.contains(&"connection.disconnected"), "{types:?}");
        error_of(app.with_key(&app.other_client_key().await).get(&format!("/companies/{company}/export")).await, StatusCode::NOT_FOUND).await;
        let token = app.company_token(&company).await;
        error_of(app.with_key(&token).get(&format!("/companies/{company}/export")).await, StatusCode::FORBIDDEN).await;
    }

    async fn deleting_a_company_destroys_its_data_and_secrets_and_keeps_its_events(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        app.consent(&company, &["commerce"]).await;
        let shop = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let path = format!("/companies/{company}/connections/{}", shop["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{path}/authorization"), &json!({"apiKey": CREDENTIAL})).await, StatusCode::OK).await;

        assert_eq!(app.delete(&format!("/companies/{company}")).await.status(), StatusCode::NO_CONTENT);

        error_of(app.get(&format!("/companies/{company}/export")).await, StatusCode::NOT_FOUND).await;
        for table in ["connections", "connection_secrets", "consents", "invitations", "connection_history"] {
            assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
        }
        let events = json_of(app.get(&format!("/events?companyId={company}")).await, StatusCode::OK).await;
        assert_eq!(events["results"][0]["eventType"], "company.deleted", "the event log is kept");
    }
}
