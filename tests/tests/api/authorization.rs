use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

const STRIPE_KEY: &str = "rk_live_51HabcDEF1234567890";

/// A company with one connection to `key`; returns the connection's path.
async fn connection(app: &TestApp, key: &str) -> String {
    let (company, created) = app.consented_connection(key).await;
    format!(
        "/companies/{company}/connections/{}",
        created["id"].as_str().unwrap()
    )
}

async fn authorize(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.send_json(Method::PUT, &format!("{path}/authorization"), &body)
        .await
}

async fn causes(app: &TestApp, path: &str) -> Vec<String> {
    let history = json_of(app.get(&format!("{path}/history")).await, StatusCode::OK).await;
    history["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cause"].as_str().unwrap().to_owned())
        .collect()
}

on_both_stores! {
    async fn valid_credentials_link_the_connection_and_are_never_echoed(app: TestApp) {
        let path = connection(&app, "exgd").await;

        let response = authorize(&app, &path, json!({"apiKey": STRIPE_KEY})).await;

        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["status"], "Linked");
        assert!(!text.contains(STRIPE_KEY));
        assert!(!json_of(app.get(&path).await, StatusCode::OK).await.to_string().contains(STRIPE_KEY));
        assert_eq!(causes(&app, &path).await, ["Created", "Authorized"]);
        let stored = app.stored_secret_bytes().await;
        assert!(!stored.is_empty());
        assert!(!stored.windows(STRIPE_KEY.len()).any(|w| w == STRIPE_KEY.as_bytes()), "stored encrypted");
    }

    async fn every_invalid_field_is_listed_and_nothing_changes(app: TestApp) {
        let path = connection(&app, "ltpp").await;
        let body = json!({"storeUrl": "http://not-https.example", "consumerKey": "", "consumerSecret": "cs_short", "colour": "red"});

        let response = authorize(&app, &path, body).await;

        let error = error_of(response, StatusCode::BAD_REQUEST).await;
        let mut items = invalid_items(&error);
        items.sort();
        assert_eq!(items, ["colour", "consumerKey", "consumerSecret", "storeUrl"]);
        assert!(!error.to_string().contains("cs_short"), "values are not repeated");
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await["status"], "PendingAuth");
        assert_eq!(causes(&app, &path).await, ["Created"]);
    }

    async fn malformed_authorization_bodies_are_refused(app: TestApp) {
        let path = connection(&app, "exgd").await;

        for body in [json!({"apiKey": 5}), json!(["apiKey"]), json!("rk_live_x"), json!({})] {
            error_of(authorize(&app, &path, body).await, StatusCode::BAD_REQUEST).await;
        }
        let desktop = connection(&app, "hbql").await;
        let refused = error_of(authorize(&app, &desktop, json!({"a": "b"})).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(refused["validation"]["errors"][0]["validatorName"], "DesktopConnector");
        error_of(authorize(&app, &format!("{path}x"), json!({})).await, StatusCode::BAD_REQUEST).await;
    }

    async fn oauth_platforms_accept_imported_tokens(app: TestApp) {
        let path = connection(&app, "mqjo").await;

        let missing = authorize(&app, &path, json!({"refreshToken": "r"})).await;
        let linked = json_of(authorize(&app, &path, json!({"accessToken": "at-1", "refreshToken": "rt-1", "expiresIn": "3600"})).await, StatusCode::OK).await;

        assert_eq!(invalid_items(&error_of(missing, StatusCode::BAD_REQUEST).await), ["accessToken"]);
        assert_eq!(linked["status"], "Linked");
    }

    async fn an_unlinked_connection_is_linked_again_with_the_same_id(app: TestApp) {
        let path = connection(&app, "exgd").await;
        json_of(authorize(&app, &path, json!({"apiKey": STRIPE_KEY})).await, StatusCode::OK).await;

        let unlinked = json_of(app.send_json(Method::PATCH, &path, &json!({"status": "Unlinked"})).await, StatusCode::OK).await;
        let relinked = json_of(authorize(&app, &path, json!({"apiKey": STRIPE_KEY})).await, StatusCode::OK).await;

        assert_eq!(unlinked["status"], "Unlinked");
        assert_eq!((relinked["status"].clone(), relinked["id"].clone()), (json!("Linked"), unlinked["id"].clone()));
        assert_eq!(causes(&app, &path).await, ["Created", "Authorized", "UnlinkedByClient", "Authorized"]);
        let history = json_of(app.get(&format!("{path}/history")).await, StatusCode::OK).await;
        assert_eq!((history["results"][3]["from"].clone(), history["results"][3]["to"].clone()), (json!("Unlinked"), json!("Linked")));
    }

    async fn new_credentials_for_a_linked_connection_replace_the_old_without_a_transition(app: TestApp) {
        let path = connection(&app, "exgd").await;
        json_of(authorize(&app, &path, json!({"apiKey": STRIPE_KEY})).await, StatusCode::OK).await;
        let before = app.stored_secret_bytes().await;

        let again = json_of(authorize(&app, &path, json!({"apiKey": "rk_live_rotated0987654321"})).await, StatusCode::OK).await;

        assert_eq!(again["status"], "Linked");
        assert_eq!(causes(&app, &path).await, ["Created", "Authorized"]);
        assert_ne!(app.stored_secret_bytes().await, before);
    }

    async fn concurrent_unlinks_and_relinks_on_one_connection_each_win_once(app: TestApp) {
        let path = connection(&app, "exgd").await;
        json_of(authorize(&app, &path, json!({"apiKey": STRIPE_KEY})).await, StatusCode::OK).await;

        for round in 0..3 {
            let unlinks: Vec<_> = (0..6).map(|_| tokio::spawn(app.request(Method::PATCH, &path).json(&json!({"status": "Unlinked"})).send())).collect();
            let mut won = 0;
            for unlink in unlinks {
                let status = unlink.await.unwrap().unwrap().status();
                assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
                won += usize::from(status == StatusCode::OK);
            }
            assert_eq!(won, 1, "round {round}: exactly one unlink wins");
            let relinks: Vec<_> = (0..6)
                .map(|_| tokio::spawn(app.request(Method::PUT, &format!("{path}/authorization")).json(&json!({"apiKey": STRIPE_KEY})).send()))
                .collect();
            for relink in relinks {
                let status = relink.await.unwrap().unwrap().status();
                assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
            }
        }

        let expected: Vec<&str> = ["Created", "Authorized"].into_iter().chain((0..3).flat_map(|_| ["UnlinkedByClient", "Authorized"])).collect();
        assert_eq!(causes(&app, &path).await, expected, "one transition per round each way, none lost");
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await["status"], "Linked");
    }
}

mod verifier {
    use std::time::Duration;

    use reqwest::{Method, StatusCode};
    use serde_json::json;
    use tests::receiver::{Receiver, Reply};
    use tests::{error_of, invalid_items, json_of, on_both_stores, refusal_of, ErrorCode, TestApp};

    const INTACCT: &str = "knfz";

    fn typed(password: &str) -> serde_json::Value {
        json!({"companyId": "acme-ltd", "userId": "ada", "password": password})
    }

    /// Sets `url` as Sage Intacct's verifier; the signing secret, answered once.
    async fn set_verifier(app: &TestApp, url: &str) -> serde_json::Value {
        json_of(
            app.send_json(
                Method::PATCH,
                &format!("/integrations/{INTACCT}/settings"),
                &json!({"credentialsVerifierUrl": url}),
            )
            .await,
            StatusCode::OK,
        )
        .await
    }

    on_both_stores! {
        async fn a_verifier_accepts_refuses_or_cannot_answer_and_the_connection_follows(app: TestApp) {
            let receiver = Receiver::start().await;
            let set = set_verifier(&app, &receiver.url).await;
            let secret = set["credentialsVerifierSecret"].as_str().unwrap().to_owned();
            assert!(secret.starts_with("whsec_"));
            let read = json_of(app.get(&format!("/integrations/{INTACCT}/settings")).await, StatusCode::OK).await;
            assert_eq!(read["credentialsVerifierUrl"], receiver.url.as_str());
            assert!(read.get("credentialsVerifierSecret").is_none(), "the secret is answered once");
            let listed = json_of(app.get(&format!("/integrations/{INTACCT}")).await, StatusCode::OK).await;
            assert_eq!(listed["credentialsChecked"], true);
            let (company, created) = app.consented_connection(INTACCT).await;
            let journey = app.with_key(&app.company_token(&company).await);
            let path = format!("/companies/{company}/connections/{}", created["id"].as_str().unwrap());
            let authorize = |password: &'static str| journey.request(Method::PUT, &format!("{path}/authorization")).json(&typed(password)).send();

            receiver.reply_next(&[Reply { body: r#"{"message": "Wrong web services password for ada."}"#, ..Reply::status(401) }]);
            let refused = refusal_of(authorize("wrong").await.unwrap(), ErrorCode::CredentialsRefused).await;
            assert_eq!(refused["error"], "Wrong web services password for ada.");
            assert_eq!(app.fetch_connection(&company, &created).await["status"], "PendingAuth");

            receiver.reply_next(&[Reply::status(503)]);
            let unavailable = refusal_of(authorize("right").await.unwrap(), ErrorCode::CredentialsVerifierUnavailable).await;
            assert!(unavailable["error"].as_str().unwrap().contains("nothing was saved"), "{unavailable}");
            receiver.reply_next(&[Reply { delay: Duration::from_secs(11), ..Reply::status(200) }]);
            refusal_of(authorize("right").await.unwrap(), ErrorCode::CredentialsVerifierUnavailable).await;
            assert_eq!(app.fetch_connection(&company, &created).await["status"], "PendingAuth");

            let linked = json_of(authorize("right").await.unwrap(), StatusCode::OK).await;
            assert_eq!(linked["status"], "Linked");
            let calls = receiver.received();
            assert_eq!(calls.len(), 4);
            let last = calls.last().unwrap();
            assert!(last.signed_with(&secret), "signed as webhooks are");
            let body = last.json();
            assert_eq!((body["type"].as_str(), body["platformKey"].as_str(), body["companyId"].as_str()), (Some("credentials.verification"), Some(INTACCT), Some(company.as_str())));
            assert_eq!(body["credentials"], typed("right"));
        }

        async fn a_verifier_is_an_https_address_of_a_credentials_platform(app: TestApp) {
            let settings = |key: &str, url: &str| app.request(Method::PATCH, &format!("/integrations/{key}/settings")).json(&json!({"credentialsVerifierUrl": url})).send();

            for bad in ["http://verify.example/in", "https://user:pw@verify.example/in", "ftp://verify.example/in", "not a url"] {
                let refused = error_of(settings(INTACCT, bad).await.unwrap(), StatusCode::BAD_REQUEST).await;
                assert_eq!(invalid_items(&refused), ["credentialsVerifierUrl"], "{bad}");
            }
            let oauth = error_of(settings("mqjo", "https://verify.example/in").await.unwrap(), StatusCode::BAD_REQUEST).await;
            assert_eq!(invalid_items(&oauth), ["credentialsVerifierUrl"]);
            let first = json_of(settings(INTACCT, "https://verify.example/in").await.unwrap(), StatusCode::OK).await;
            let same = json_of(settings(INTACCT, "https://verify.example/in").await.unwrap(), StatusCode::OK).await;
            assert!(first["credentialsVerifierSecret"].is_string() && same.get("credentialsVerifierSecret").is_none(), "the same URL keeps its secret");
            let removed = json_of(settings(INTACCT, "").await.unwrap(), StatusCode::OK).await;
            assert!(removed.get("credentialsVerifierUrl").is_none());
        }
    }
}
