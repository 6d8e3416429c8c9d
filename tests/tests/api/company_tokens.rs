use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use link_api::company_token::{Claims, TokenSigner};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, json_of, on_both_stores, TestApp};

async fn company(app: &TestApp, name: &str) -> String {
    app.create_company(json!({"name": name})).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn token_for(app: &TestApp, company: &str) -> String {
    let body = json_of(
        app.get(&format!("/companies/{company}/accessToken")).await,
        StatusCode::OK,
    )
    .await;
    body["accessToken"].as_str().unwrap().to_owned()
}

/// The signer the server uses, rebuilt from the same settings.
fn server_signer(app: &TestApp) -> TokenSigner {
    let cipher =
        link_api::crypto::Cipher::from_settings(&tests::settings(&app.database.url)).unwrap();
    TokenSigner::new(cipher.token_secret())
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.anonymous(method, path).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

on_both_stores! {
    async fn an_api_key_gets_a_day_long_bearer_token_for_its_company(app: TestApp) {
        let company = company(&app, "Acme").await;

        let body = json_of(app.get(&format!("/companies/{company}/accessToken")).await, StatusCode::OK).await;

        assert_eq!((body["expiresIn"].clone(), body["tokenType"].clone()), (json!(86400), json!("Bearer")));
        assert_eq!(body["accessToken"].as_str().unwrap().split('.').count(), 3);
        error_of(app.get(&format!("/companies/{}/accessToken", uuid::Uuid::new_v4())).await, StatusCode::NOT_FOUND).await;
    }

    async fn a_company_token_opens_the_journey_endpoints_for_its_company(app: TestApp) {
        let company = company(&app, "Acme").await;
        let token = token_for(&app, &company).await;
        let base = format!("/companies/{company}/connections");

        for path in ["/integrations", "/integrations/gbol", "/integrations/gbol/branding", base.as_str()] {
            assert_eq!(call(&app, &token, Method::GET, path, None).await.status(), StatusCode::OK, "{path}");
        }
        let created = json_of(call(&app, &token, Method::POST, &base, Some(json!({"platformKey": "exgd"}))).await, StatusCode::OK).await;
        let path = format!("{base}/{}", created["id"].as_str().unwrap());
        json_of(call(&app, &token, Method::GET, &path, None).await, StatusCode::OK).await;
        let linked = call(&app, &token, Method::PUT, &format!("{path}/authorization"), Some(json!({"apiKey": "rk_live_51Habc1234567890"}))).await;
        assert_eq!(json_of(linked, StatusCode::OK).await["status"], "Linked");
        let history = json_of(app.get(&format!("{path}/history")).await, StatusCode::OK).await;
        assert_eq!(history["results"][0]["actor"], "customer", "changes made with a company token are the customer's");
    }

    async fn a_company_token_opens_nothing_else(app: TestApp) {
        let company = company(&app, "Acme").await;
        let token = token_for(&app, &company).await;
        let connection = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "mqjo"})).await, StatusCode::OK).await;
        let connection_path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());

        for (method, path) in [(Method::GET, "/companies".to_owned()), (Method::GET, format!("/companies/{company}")),
                               (Method::DELETE, format!("/companies/{company}")), (Method::GET, "/apiKeys".to_owned()),
                               (Method::POST, "/apiKeys".to_owned()), (Method::GET, "/profile".to_owned()),
                               (Method::GET, format!("/companies/{company}/accessToken")), (Method::GET, "/integrations/gbol/settings".to_owned()),
                               (Method::DELETE, connection_path.clone()), (Method::PATCH, connection_path.clone()),
                               (Method::GET, format!("{connection_path}/history"))] {
            error_of(call(&app, &token, method.clone(), &path, None).await, StatusCode::FORBIDDEN).await;
        }
        assert_eq!(json_of(app.get(&connection_path).await, StatusCode::OK).await, connection, "nothing changed");
    }

    async fn a_company_token_cannot_reach_another_company(app: TestApp) {
        let mine = company(&app, "Mine").await;
        let theirs = company(&app, "Theirs").await;
        let token = token_for(&app, &mine).await;
        let other_client = app.with_key(&app.other_client_key().await);
        let foreign = company(&other_client, "Foreign").await;
        let foreign_token = token_for(&other_client, &foreign).await;

        error_of(call(&app, &token, Method::GET, &format!("/companies/{theirs}/connections"), None).await, StatusCode::NOT_FOUND).await;
        error_of(call(&app, &token, Method::POST, &format!("/companies/{theirs}/connections"), Some(json!({"platformKey": "mqjo"}))).await, StatusCode::NOT_FOUND).await;
        error_of(call(&app, &foreign_token, Method::GET, &format!("/companies/{mine}/connections"), None).await, StatusCode::NOT_FOUND).await;
        assert_eq!(json_of(app.get(&format!("/companies/{theirs}/connections")).await, StatusCode::OK).await["totalResults"], 0);
    }

    async fn tampered_expired_unsigned_misaddressed_and_foreign_tokens_are_401(app: TestApp) {
        let company = company(&app, "Acme").await;
        let token = token_for(&app, &company).await;
        let signer = server_signer(&app);
        let claims = |mutate: &dyn Fn(&mut Value)| {
            let mut value: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
            mutate(&mut value);
            serde_json::from_value::<Claims>(value).unwrap()
        };
        let (header, payload, signature) = {
            let mut parts = token.split('.');
            (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned())
        };
        let mut tampered_payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
        tampered_payload["exp"] = json!(tampered_payload["exp"].as_i64().unwrap() + 1);
        let tampered = format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(tampered_payload.to_string()));
        let unsigned = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
        let expired = signer.sign(&claims(&|c| { c["iat"] = json!(1_000); c["exp"] = json!(2_000); })).unwrap();
        let misaddressed = signer.sign(&claims(&|c| c["aud"] = json!("link-api:someone-else"))).unwrap();
        let foreign = TokenSigner::new(&[9; 32]).sign(&claims(&|_| {})).unwrap();
        let resigned = signer.sign(&claims(&|_| {})).unwrap();

        for bad in [tampered, unsigned, expired, misaddressed, foreign, format!("{token}x"), "a.b.c".to_owned()] {
            error_of(call(&app, &bad, Method::GET, "/integrations", None).await, StatusCode::UNAUTHORIZED).await;
        }
        assert_eq!(call(&app, &resigned, Method::GET, "/integrations", None).await.status(), StatusCode::OK, "the control passes");
    }
}
