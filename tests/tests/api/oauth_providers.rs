use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::mock_provider::{MockProvider, Mode, CLIENT_ID, CLIENT_SECRET};
use tests::{json_of, spawn_with, Backend, TestApp};

const PUBLIC: &str = "http://link.test";

fn query_value(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let pair = query
        .split('&')
        .find(|p| p.starts_with(&format!("{name}=")))
        .unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}

/// A server whose catalogue holds the mock provider, refreshing every second
/// any token that expires within ten minutes.
async fn app_with_mock(backend: Backend) -> (TestApp, MockProvider, tempfile::TempDir) {
    let refreshing = [
        "--refresh-interval-secs",
        "1",
        "--refresh-margin-secs",
        "600",
    ];
    app_with_mock_and(backend, &refreshing).await
}

/// A server whose catalogue holds the mock provider, with extra settings.
async fn app_with_mock_and(
    backend: Backend,
    extra: &[&str],
) -> (TestApp, MockProvider, tempfile::TempDir) {
    let mock = MockProvider::start().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("catalogue.json");
    std::fs::write(&file, mock.catalogue_json()).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let mut settings = vec!["--catalogue-file", file.as_str()];
    settings.extend(extra);
    let app = spawn_with(backend, &settings).await;
    let settings = json!({"oauthClientId": CLIENT_ID, "oauthClientSecret": CLIENT_SECRET});
    for key in ["mock", "mckp"] {
        let path = format!("/integrations/{key}/settings");
        json_of(
            app.send_json(Method::PATCH, &path, &settings).await,
            StatusCode::OK,
        )
        .await;
    }
    let profile = json!({"name": "Acme Lending", "redirectUrl": "https://app.example/done?s={statusCode}", "whiteListUrls": []});
    json_of(
        app.send_json(Method::PUT, "/profile", &profile).await,
        StatusCode::OK,
    )
    .await;
    (app, mock, folder)
}

/// Runs the journey against the mock: start, the customer approves, the callback.
async fn authorize_at_mock(
    app: &TestApp,
    mock: &MockProvider,
    connection: &Value,
) -> reqwest::Response {
    let link = connection["linkUrl"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned();
    let start = app.anonymous(Method::GET, &link).send().await.unwrap();
    let authorize = start.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        authorize.starts_with(&format!("{}/authorize?", mock.base_url)),
        "{authorize}"
    );
    assert_eq!(query_value(&authorize, "client_id"), CLIENT_ID);
    let code = mock.approve(&query_value(&authorize, "code_challenge"));
    let callback = format!(
        "/link/oauth/callback?code={code}&state={}",
        query_value(&authorize, "state")
    );
    app.anonymous(Method::GET, &callback).send().await.unwrap()
}

/// Polls until `done` holds, for at most ten seconds.
async fn eventually<F, Fut>(mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the condition did not hold within ten seconds");
}

async fn a_real_provider_links_over_http_with_pkce_and_client_auth(backend: Backend) {
    let (app, mock, _folder) = app_with_mock(backend).await;

    for key in ["mock", "mckp"] {
        let (company, connection) = app.consented_connection(key).await;

        let finished = authorize_at_mock(&app, &mock, &connection).await;

        assert_eq!(
            finished.headers()["location"],
            "https://app.example/done?s=200",
            "{key}"
        );
        assert_eq!(
            app.fetch_connection(&company, &connection).await["status"],
            "Linked",
            "{key}"
        );
    }
}

async fn a_provider_failure_leaves_the_connection_pending_with_an_error(backend: Backend) {
    let (app, mock, _folder) = app_with_mock(backend).await;
    let (company, connection) = app.consented_connection("mock").await;
    mock.set_mode(Mode::ServerError);

    let finished = authorize_at_mock(&app, &mock, &connection).await;

    assert_eq!(
        finished.headers()["location"],
        "https://app.example/done?s=500"
    );
    let after = app.fetch_connection(&company, &connection).await;
    assert_eq!(after["status"], "PendingAuth");
    assert_eq!(after["dataConnectionErrors"][0]["statusCode"], "500");
}

async fn tokens_are_refreshed_and_a_refused_refresh_deauthorizes(backend: Backend) {
    let (app, mock, _folder) = app_with_mock(backend).await;
    let (company, connection) = app.consented_connection("mock").await;
    authorize_at_mock(&app, &mock, &connection).await;

    eventually(|| {
        let mock = mock.clone();
        async move { mock.issued() >= 2 }
    })
    .await;
    mock.set_mode(Mode::RefuseRefresh);
    eventually(|| async {
        app.fetch_connection(&company, &connection).await["status"] == "Deauthorized"
    })
    .await;

    let after = app.fetch_connection(&company, &connection).await;
    assert_eq!(after["dataConnectionErrors"][0]["status"], "Active");
    assert_eq!(
        app.stored_secret_bytes().await,
        Vec::<u8>::new(),
        "the tokens are destroyed"
    );
    let history = json_of(
        app.get(&format!(
            "/companies/{company}/connections/{}/history",
            connection["id"].as_str().unwrap()
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    let last = history["results"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            last["cause"].clone(),
            last["actor"].clone(),
            last["to"].clone()
        ),
        (
            json!("RefreshRefused"),
            json!("provider"),
            json!("Deauthorized")
        )
    );
    mock.set_mode(Mode::Normal);
    let again = authorize_at_mock(&app, &mock, &connection).await;
    assert_eq!(
        again.headers()["location"],
        "https://app.example/done?s=200"
    );
    assert_eq!(
        app.fetch_connection(&company, &connection).await["status"],
        "Linked",
        "the same connection, linked again"
    );
}

/// Runs the journey at the built-in Sandbox: start, approve, the callback.
async fn link_at_sandbox(app: &TestApp, company: &str, connection: &Value) {
    let link = connection["linkUrl"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned();
    let start = app.anonymous(Method::GET, &link).send().await.unwrap();
    let authorize = start.headers()["location"]
        .to_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned();
    let decided = app.sandbox_decision(&authorize, "approve").await;
    let callback = decided.headers()["location"]
        .to_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned();
    app.anonymous(Method::GET, &callback).send().await.unwrap();
    assert_eq!(
        app.fetch_connection(company, connection).await["status"],
        "Linked"
    );
}

async fn a_revoked_sandbox_grant_deauthorizes_at_the_next_refresh(backend: Backend) {
    let (app, _mock, _folder) = app_with_mock(backend).await;
    let (company, connection) = app.consented_connection("mqjo").await;
    link_at_sandbox(&app, &company, &connection).await;
    let before = app.stored_secret_bytes().await;
    eventually(|| {
        let app = &app;
        let before = before.clone();
        async move { app.stored_secret_bytes().await != before }
    })
    .await;

    let revoked = app
        .request(
            Method::POST,
            &format!(
                "/companies/{company}/connections/{}/sandbox/revoke",
                connection["id"].as_str().unwrap()
            ),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    eventually(|| async {
        app.fetch_connection(&company, &connection).await["status"] == "Deauthorized"
    })
    .await;
}

async fn a_provider_without_the_clients_oauth_application_fails_cleanly(backend: Backend) {
    let (app, mock, _folder) = app_with_mock(backend).await;
    drop(mock);
    let removed = json!({"oauthClientId": "", "oauthClientSecret": ""});
    json_of(
        app.send_json(Method::PATCH, "/integrations/mock/settings", &removed)
            .await,
        StatusCode::OK,
    )
    .await;
    let (company, connection) = app.consented_connection("mock").await;

    let link = connection["linkUrl"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC)
        .unwrap()
        .to_owned();
    let start = app.anonymous(Method::GET, &link).send().await.unwrap();

    assert_eq!(
        start.headers()["location"],
        "https://app.example/done?s=500"
    );
    assert_eq!(
        app.fetch_connection(&company, &connection).await["dataConnectionErrors"][0]["statusCode"],
        "500"
    );
}

/// The refresh token a connection holds, read from the store as only the service can.
async fn refresh_token_of(app: &TestApp, connection: &Value) -> String {
    let store = app.store().await;
    let cipher = app::secrets::Cipher::new(
        link_api::config::parse_encryption_keys(tests::ENCRYPTION_KEY).unwrap(),
    )
    .unwrap();
    let id: uuid::Uuid = connection["id"].as_str().unwrap().parse().unwrap();
    let location = domain::secrets::SecretLocation::Connection(id.into());
    let secret = store
        .secrets_to_reseal(location.class(), u32::MAX, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.location == location)
        .unwrap();
    let plain = cipher.open(&secret.sealed, &location.context()).unwrap();
    serde_json::from_slice::<Value>(&plain).unwrap()["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The `connection.revocation` events of a company.
async fn revocations(app: &TestApp, company: &str) -> Vec<Value> {
    let path = format!("/events?eventType=connection.revocation&companyId={company}");
    let events = json_of(app.get(&path).await, StatusCode::OK).await;
    events["results"].as_array().unwrap().clone()
}

async fn deleting_a_company_revokes_its_grants_at_the_providers_and_records_it(backend: Backend) {
    // No refreshes: the tokens read here stay the live ones.
    let (app, mock, _folder) = app_with_mock_and(backend, &[]).await;
    let mut linked = Vec::new();
    for key in ["mock", "mckp", "mqjo"] {
        let (company, connection) = app.consented_connection(key).await;
        if key == "mqjo" {
            link_at_sandbox(&app, &company, &connection).await;
        } else {
            authorize_at_mock(&app, &mock, &connection).await;
        }
        let token = refresh_token_of(&app, &connection).await;
        linked.push((company, connection, token));
    }
    let live_sandbox_grants = "SELECT COUNT(*) FROM sandbox_grants WHERE revoked_at IS NULL";
    assert_eq!(app.count(live_sandbox_grants).await, 1);

    for (company, _, _) in &linked {
        let deleted = app.delete(&format!("/companies/{company}")).await;
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }

    assert_eq!(
        mock.revoked(),
        [linked[0].2.clone()],
        "only the provider with revocation was called"
    );
    let outcomes: Vec<(Value, Value)> = {
        let mut outcomes = Vec::new();
        for (company, connection, _) in &linked {
            let events = revocations(&app, company).await;
            assert_eq!(events.len(), 1, "{events:?}");
            let payload = &events[0]["payload"];
            assert_eq!(payload["connection"]["id"], connection["id"]);
            assert_eq!(payload["referenceCompany"]["id"].as_str().unwrap(), company);
            outcomes.push((
                payload["revocation"]["outcome"].clone(),
                payload["revocation"]["detail"].clone(),
            ));
        }
        outcomes
    };
    assert_eq!(outcomes[0], (json!("Revoked"), Value::Null));
    assert_eq!(outcomes[1].0, "NotSupported");
    assert_eq!(outcomes[2], (json!("Revoked"), Value::Null));
    assert_eq!(app.count(live_sandbox_grants).await, 0);
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", linked[2].2.as_str()),
    ];
    let refused = app
        .anonymous(Method::POST, "/sandbox/oauth/token")
        .basic_auth(app::sandbox::CLIENT_ID, Some(app::sandbox::CLIENT_SECRET))
        .form(&refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

async fn a_provider_failing_to_revoke_does_not_stop_the_deletion(backend: Backend) {
    let (app, mock, _folder) = app_with_mock_and(backend, &[]).await;
    let (company, connection) = app.consented_connection("mock").await;
    authorize_at_mock(&app, &mock, &connection).await;
    mock.set_mode(Mode::ServerError);

    let deleted = app.delete(&format!("/companies/{company}")).await;

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/companies/{company}")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM connection_secrets").await,
        0
    );
    let events = revocations(&app, &company).await;
    let revocation = &events[0]["payload"]["revocation"];
    assert_eq!(revocation["outcome"], "Failed");
    assert!(
        revocation["detail"].as_str().unwrap().contains("500"),
        "{revocation}"
    );
}

async fn the_sandbox_revocation_endpoint_follows_rfc_7009(backend: Backend) {
    let (app, _mock, _folder) = app_with_mock_and(backend, &[]).await;
    let (company, connection) = app.consented_connection("mqjo").await;
    link_at_sandbox(&app, &company, &connection).await;
    let token = refresh_token_of(&app, &connection).await;
    let revoke = |client_secret: &'static str, token: String| {
        app.anonymous(Method::POST, "/sandbox/oauth/revoke")
            .basic_auth(app::sandbox::CLIENT_ID, Some(client_secret))
            .form(&[
                ("token", token),
                ("token_type_hint", "refresh_token".into()),
            ])
            .send()
    };
    let live = "SELECT COUNT(*) FROM sandbox_grants WHERE revoked_at IS NULL";

    let wrong_client = revoke("not-the-secret", token.clone()).await.unwrap();
    assert_eq!(wrong_client.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count(live).await, 1);
    let unknown = revoke(app::sandbox::CLIENT_SECRET, "unknown".into())
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(app.count(live).await, 1);
    let revoked = revoke(app::sandbox::CLIENT_SECRET, token).await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(app.count(live).await, 0);
}

macro_rules! both {
    ($($name:ident),*) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(tests::Backend::Sqlite).await
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name(tests::Backend::Postgres).await
                }
            }
        )*
    };
}

both!(
    a_real_provider_links_over_http_with_pkce_and_client_auth,
    a_provider_without_the_clients_oauth_application_fails_cleanly,
    a_provider_failure_leaves_the_connection_pending_with_an_error,
    tokens_are_refreshed_and_a_refused_refresh_deauthorizes,
    a_revoked_sandbox_grant_deauthorizes_at_the_next_refresh,
    deleting_a_company_revokes_its_grants_at_the_providers_and_records_it,
    a_provider_failing_to_revoke_does_not_stop_the_deletion,
    the_sandbox_revocation_endpoint_follows_rfc_7009
);
