use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, json_of, on_both_stores};

on_both_stores! {
    async fn another_clients_company_is_invisible_and_unchangeable(app: TestApp) {
        let mine = app.create_company(json!({"name": "Mine", "tags": {"t": "1"}})).await;
        let other = app.with_key(&app.other_client_key().await);
        let path = format!("/companies/{}", mine["id"].as_str().unwrap());

        let listed = json_of(other.get("/companies").await, StatusCode::OK).await;
        let filtered = json_of(other.get("/companies?tags=t%3D1").await, StatusCode::OK).await;

        assert_eq!((listed["totalResults"].clone(), filtered["totalResults"].clone()), (json!(0), json!(0)));
        error_of(other.get(&path).await, StatusCode::NOT_FOUND).await;
        error_of(other.send_json(Method::PUT, &path, &json!({"name": "Taken"})).await, StatusCode::NOT_FOUND).await;
        error_of(other.send_json(Method::PATCH, &path, &json!({"name": "Taken"})).await, StatusCode::NOT_FOUND).await;
        error_of(other.delete(&path).await, StatusCode::NOT_FOUND).await;
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, mine, "nothing changed");
    }

    async fn another_clients_keys_are_invisible_and_undeletable(app: TestApp) {
        let other = app.with_key(&app.other_client_key().await);
        let mine = json_of(app.get("/apiKeys").await, StatusCode::OK).await;
        let my_key_id = mine["results"][0]["id"].as_str().unwrap();

        let theirs = json_of(other.get("/apiKeys").await, StatusCode::OK).await;

        assert_eq!(theirs["results"].as_array().unwrap().len(), 1);
        assert_ne!(theirs["results"][0]["id"], mine["results"][0]["id"]);
        error_of(other.delete(&format!("/apiKeys/{my_key_id}")).await, StatusCode::NOT_FOUND).await;
        json_of(app.get("/apiKeys").await, StatusCode::OK).await;
    }
}

/// A body each write accepts, so that only whose ids they are decides the answer.
fn valid_body(method: &Method, template: &str) -> Option<serde_json::Value> {
    let body = match (method.as_str(), template) {
        ("PUT" | "PATCH", "/companies/{companyId}") => json!({"name": "Taken"}),
        ("POST", "/companies/{companyId}/connections") => json!({"platformKey": "exgd"}),
        ("PATCH", "/companies/{companyId}/connections/{connectionId}") => {
            json!({"status": "Unlinked"})
        }
        ("PUT", "/companies/{companyId}/connections/{connectionId}/authorization") => {
            json!({"apiKey": "rk_live_51HabcDEF1234567890"})
        }
        ("POST", "/companies/{companyId}/consents") => json!({"categories": ["commerce"]}),
        ("POST", "/companies/{companyId}/invitations") => {
            json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"})
        }
        ("PATCH", "/webhooks/{webhookId}") => json!({"disabled": true}),
        ("PUT", "/companies/{companyId}/reminders") => json!({"enabled": false}),
        (_, _) if ["POST", "PUT", "PATCH"].contains(&method.as_str()) => json!({}),
        _ => return None,
    };
    Some(body)
}

/// What client A holds, read back in full.
async fn snapshot(app: &tests::TestApp, company: &str) -> Vec<serde_json::Value> {
    let mut seen = Vec::new();
    for path in [
        format!("/companies/{company}"),
        format!("/companies/{company}/connections"),
        format!("/companies/{company}/consents"),
        format!("/companies/{company}/invitations"),
        format!("/companies/{company}/reminders"),
        "/webhooks".to_owned(),
        "/apiKeys".to_owned(),
        "/events?pageSize=500".to_owned(),
    ] {
        seen.push(json_of(app.get(&path).await, StatusCode::OK).await);
    }
    seen
}

on_both_stores! {
    async fn another_client_gets_404_on_every_operation_naming_this_clients_ids(app: TestApp) {
        let company = app.create_company(json!({"name": "Mine"})).await["id"].as_str().unwrap().to_owned();
        let connection = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let consent = app.consent(&company, &["commerce"]).await;
        let invitation = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"})).await, StatusCode::CREATED).await;
        let webhook = json_of(app.post("/webhooks", &json!({"url": "https://hooks.example.com/in"})).await, StatusCode::CREATED).await;
        let key = json_of(app.post("/apiKeys", &json!({"name": "second"})).await, StatusCode::CREATED).await;
        let events = json_of(app.get("/events").await, StatusCode::OK).await;
        let link = json_of(app.post(&format!("/companies/{company}/links"), &json!({})).await, StatusCode::CREATED).await;
        let ids = [
            ("{companyId}", company.clone()),
            ("{connectionId}", connection["id"].as_str().unwrap().to_owned()),
            ("{consentId}", consent["id"].as_str().unwrap().to_owned()),
            ("{invitationId}", invitation["id"].as_str().unwrap().to_owned()),
            ("{webhookId}", webhook["id"].as_str().unwrap().to_owned()),
            ("{eventId}", events["results"][0]["id"].as_str().unwrap().to_owned()),
            ("{apiKeyId}", key["id"].as_str().unwrap().to_owned()),
            ("{linkId}", link["id"].as_str().unwrap().to_owned()),
        ];
        let other = app.with_key(&app.other_client_key().await);
        let before = snapshot(&app, &company).await;
        let mut checked = 0;

        for (method, template) in app.authenticated_operations().await {
            if !ids.iter().any(|(name, _)| template.contains(name)) {
                continue;
            }
            let path = ids.iter().fold(template.clone(), |path, (name, id)| path.replace(name, id));
            assert!(!path.contains('{'), "{template} names an id this test does not make");
            let mut request = other.request(method.clone(), &path);
            if let Some(body) = valid_body(&method, &template) {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {template}");
            error_of(response, StatusCode::NOT_FOUND).await;
            checked += 1;
        }

        assert!(checked >= 25, "{checked} operations");
        assert_eq!(snapshot(&app, &company).await, before, "nothing of this client changed");
    }
}
