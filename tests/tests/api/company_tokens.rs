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
    app.company_token(company).await
}

/// The signer the server uses, rebuilt from the same settings.
fn server_signer(app: &TestApp) -> TokenSigner {
    let cipher =
        link_api::crypto::cipher_from_settings(&tests::settings(&app.database.url)).unwrap();
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

/// The claims of `token`, changed by `mutate`.
fn claims_of(token: &str, mutate: &dyn Fn(&mut Value)) -> Claims {
    let mut value: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    mutate(&mut value);
    serde_json::from_value::<Claims>(value).unwrap()
}

/// Variants of a good token that must all be refused: tampered, unsigned
/// (`alg: none`), expired, for another audience, signed with another key, and garbage.
fn bad_tokens(app: &TestApp, token: &str) -> Vec<String> {
    let signer = server_signer(app);
    let claims = |mutate: &dyn Fn(&mut Value)| claims_of(token, mutate);
    let (header, payload, signature) = {
        let mut parts = token.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        )
    };
    let mut tampered_payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
    tampered_payload["exp"] = json!(tampered_payload["exp"].as_i64().unwrap() + 1);
    let tampered = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(tampered_payload.to_string())
    );
    let unsigned = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    let expired = signer
        .sign(&claims(&|c| {
            c["iat"] = json!(1_000);
            c["exp"] = json!(2_000);
        }))
        .unwrap();
    let misaddressed = signer
        .sign(&claims(&|c| c["aud"] = json!("link-api:someone-else")))
        .unwrap();
    let foreign = TokenSigner::new(&[9; 32]).sign(&claims(&|_| {})).unwrap();
    vec![
        tampered,
        unsigned,
        expired,
        misaddressed,
        foreign,
        format!("{token}x"),
        "a.b.c".to_owned(),
    ]
}

/// What a journey UI may call with a company token; everything else is 403.
const JOURNEY_OPERATIONS: &[(&str, &str)] = &[
    ("GET", "/integrations"),
    ("GET", "/integrations/{platformKey}"),
    ("GET", "/integrations/{platformKey}/branding"),
    ("GET", "/linkSettings"),
    ("GET", "/linkSettings/versions/{version}"),
    ("GET", "/profile"),
    ("GET", "/companies/{companyId}/consents"),
    ("POST", "/companies/{companyId}/consents"),
    (
        "POST",
        "/companies/{companyId}/consents/{consentId}/withdraw",
    ),
    ("GET", "/companies/{companyId}/linkStatus"),
    ("GET", "/companies/{companyId}/reminders"),
    ("PUT", "/companies/{companyId}/reminders"),
    ("GET", "/companies/{companyId}/invitations"),
    ("POST", "/companies/{companyId}/invitations"),
    (
        "DELETE",
        "/companies/{companyId}/invitations/{invitationId}",
    ),
    ("GET", "/companies/{companyId}/connections"),
    ("POST", "/companies/{companyId}/connections"),
    ("GET", "/companies/{companyId}/connections/{connectionId}"),
    ("PATCH", "/companies/{companyId}/connections/{connectionId}"),
    (
        "DELETE",
        "/companies/{companyId}/connections/{connectionId}",
    ),
    (
        "PUT",
        "/companies/{companyId}/connections/{connectionId}/authorization",
    ),
];

/// A company with a connection and a consent, and the values for each path parameter.
async fn fixture(app: &TestApp) -> Vec<(&'static str, String)> {
    let company = company(app, "Matrix").await;
    let connection = json_of(
        app.post(
            &format!("/companies/{company}/connections"),
            &json!({"platformKey": "ltpp"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let consent = app.consent(&company, &["commerce"]).await;
    let invitation = json_of(
        app.post(
            &format!("/companies/{company}/invitations"),
            &json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let link = json_of(
        app.post(&format!("/companies/{company}/links"), &json!({}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    vec![
        ("{companyId}", company),
        (
            "{connectionId}",
            connection["id"].as_str().unwrap().to_owned(),
        ),
        ("{consentId}", consent["id"].as_str().unwrap().to_owned()),
        ("{platformKey}", "exgd".to_owned()),
        ("{apiKeyId}", uuid::Uuid::new_v4().to_string()),
        ("{version}", "0".to_owned()),
        ("{webhookId}", uuid::Uuid::new_v4().to_string()),
        ("{eventId}", uuid::Uuid::new_v4().to_string()),
        (
            "{invitationId}",
            invitation["id"].as_str().unwrap().to_owned(),
        ),
        ("{linkId}", link["id"].as_str().unwrap().to_owned()),
    ]
}

fn fill(template: &str, values: &[(&'static str, String)]) -> String {
    let path = values
        .iter()
        .fold(template.to_owned(), |path, (name, value)| {
            path.replace(name, value)
        });
    assert!(
        !path.contains('{'),
        "a path parameter of {template} has no test value"
    );
    path
}

async fn send(app: &TestApp, token: &str, method: &Method, path: &str) -> StatusCode {
    let body = [Method::POST, Method::PUT, Method::PATCH]
        .contains(method)
        .then(|| json!({}));
    call(app, token, method.clone(), path, body).await.status()
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
        let created = json_of(call(&app, &token, Method::POST, &base, Some(json!({"platformKey": "ltpp"}))).await, StatusCode::OK).await;
        let path = format!("{base}/{}", created["id"].as_str().unwrap());
        json_of(call(&app, &token, Method::GET, &path, None).await, StatusCode::OK).await;
        let consent = json!({"categories": ["commerce"], "actor": {"name": "Ada"}});
        json_of(call(&app, &token, Method::POST, &format!("/companies/{company}/consents"), Some(consent)).await, StatusCode::CREATED).await;
        let linked = call(&app, &token, Method::PUT, &format!("{path}/authorization"), Some(json!({"storeUrl": "https://shop.example", "consumerKey": "ck_0123456789abcdefghij", "consumerSecret": "cs_0123456789abcdefghij"}))).await;
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
                               (Method::POST, "/apiKeys".to_owned()), (Method::PUT, "/profile".to_owned()),
                               (Method::GET, format!("/companies/{company}/accessToken")), (Method::GET, "/integrations/gbol/settings".to_owned()),
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
        let resigned = server_signer(&app).sign(&claims_of(&token, &|_| {})).unwrap();

        for bad in bad_tokens(&app, &token) {
            error_of(call(&app, &bad, Method::GET, "/integrations", None).await, StatusCode::UNAUTHORIZED).await;
        }
        assert_eq!(call(&app, &resigned, Method::GET, "/integrations", None).await.status(), StatusCode::OK, "the control passes");
    }

    async fn every_operation_answers_each_kind_of_caller_as_documented(app: TestApp) {
        let shared = fixture(&app).await;
        let company = shared[0].1.clone();
        let other_company = self::company(&app, "Neighbour").await;
        let other_client = app.with_key(&app.other_client_key().await);
        let foreign_company = self::company(&other_client, "Foreign").await;
        let token = token_for(&app, &company).await;
        let neighbour_token = token_for(&app, &other_company).await;
        let foreign_token = token_for(&other_client, &foreign_company).await;
        let bad = bad_tokens(&app, &token);
        let before = json_of(app.get(&format!("/companies/{company}")).await, StatusCode::OK).await;
        let ledger = json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        let operations = app.authenticated_operations().await;
        assert!(operations.len() > 30, "{operations:?}");

        for (method, template) in &operations {
            let journey = JOURNEY_OPERATIONS.contains(&(method.as_str(), template.as_str()));
            let own_company = template.contains("{companyId}");
            let denied = |status: StatusCode| [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status) || status.is_server_error();

            let fresh = fixture(&app).await;
            let with_key = send(&app, &app.api_key, method, &fill(template, &fresh)).await;
            assert!(!denied(with_key), "{method} {template} with the API key: {with_key}");

            let fresh = fixture(&app).await;
            let own_token = token_for(&app, &fresh[0].1).await;
            let mine = send(&app, &own_token, method, &fill(template, &fresh)).await;
            if journey {
                assert!(!denied(mine), "{method} {template} with its company's token: {mine}");
            } else {
                assert_eq!(mine, StatusCode::FORBIDDEN, "{method} {template} with its company's token");
            }

            let path = fill(template, &shared);
            for (who, other) in [("another company's token", &neighbour_token), ("another client's token", &foreign_token)] {
                let status = send(&app, other, method, &path).await;
                let expected = match (journey, own_company) {
                    (true, true) => StatusCode::NOT_FOUND,
                    (true, false) => StatusCode::OK,
                    (false, _) => StatusCode::FORBIDDEN,
                };
                assert_eq!(status, expected, "{method} {template} with {who}");
            }
            for refused in &bad {
                assert_eq!(send(&app, refused, method, &path).await, StatusCode::UNAUTHORIZED, "{method} {template} with a bad token");
            }
        }
        assert_eq!(json_of(app.get(&format!("/companies/{company}")).await, StatusCode::OK).await, before, "nothing changed");
        assert_eq!(json_of(app.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await, ledger);
    }
}
