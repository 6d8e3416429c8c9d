use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

async fn company(app: &TestApp) -> String {
    app.create_company(json!({"name": "Acme"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn connect(app: &TestApp, company: &str, key: &str) -> Value {
    json_of(
        app.post(
            &format!("/companies/{company}/connections"),
            &json!({"platformKey": key}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

on_both_stores! {
    async fn creating_a_connection_returns_200_pending_auth_with_a_link_url(app: TestApp) {
        let company = company(&app).await;

        let connection = connect(&app, &company, "mqjo").await;

        let id = connection["id"].as_str().unwrap();
        assert_eq!(connection["status"], "PendingAuth");
        assert_eq!(connection["integrationKey"], "mqjo");
        assert_eq!(connection["platformName"], "Sandbox");
        assert_eq!(connection["sourceType"], "Accounting");
        assert_eq!(connection["linkUrl"], format!("http://link.test/link/companies/{company}/connections/{id}/start"));
        assert!(connection.get("dataConnectionErrors").is_none());
        let integration = json_of(app.get("/integrations/mqjo").await, StatusCode::OK).await;
        assert_eq!(connection["integrationId"], integration["integrationId"]);
        assert_eq!(connection["sourceId"], integration["sourceId"]);
        let fetched = json_of(app.get(&format!("/companies/{company}/connections/{id}")).await, StatusCode::OK).await;
        assert_eq!(fetched, connection);
    }

    async fn companies_embed_their_connections(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "suuo").await;
        app.create_company(json!({"name": "Without"})).await;

        let fetched = json_of(app.get(&format!("/companies/{company}")).await, StatusCode::OK).await;
        let listed = json_of(app.get("/companies?orderBy=name").await, StatusCode::OK).await;
        let pending = json_of(app.get("/companies?query=dataConnections.status%3Dpendingauth").await, StatusCode::OK).await;
        let without = json_of(app.get("/companies?query=dataConnections.integrationKey!%3Dsuuo").await, StatusCode::OK).await;

        assert_eq!(fetched["dataConnections"], json!([connection]));
        assert_eq!(listed["results"][0]["dataConnections"], json!([connection]));
        assert_eq!(listed["results"][1]["dataConnections"], json!([]));
        assert_eq!(pending["totalResults"], 1);
        assert_eq!(without["results"][0]["name"], "Without");
    }

    async fn a_company_has_at_most_one_active_accounting_connection(app: TestApp) {
        let company = company(&app).await;
        connect(&app, &company, "mqjo").await;

        let second = app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "gbol"})).await;
        connect(&app, &company, "suuo").await;
        connect(&app, &company, "suuo").await;

        error_of(second, StatusCode::CONFLICT).await;
        let listed = json_of(app.get(&format!("/companies/{company}/connections")).await, StatusCode::OK).await;
        assert_eq!(listed["totalResults"], 3, "banking may have several");
    }

    async fn connections_are_listed_filtered_and_paged(app: TestApp) {
        let company = company(&app).await;
        let sandbox = connect(&app, &company, "mqjo").await;
        connect(&app, &company, "suuo").await;
        connect(&app, &company, "fztf").await;
        let base = format!("/companies/{company}/connections");

        let banking = json_of(app.get(&format!("{base}?query=sourceType%3Dbanking")).await, StatusCode::OK).await;
        let by_key = json_of(app.get(&format!("{base}?query=integrationKey%3Dmqjo")).await, StatusCode::OK).await;
        let paged = json_of(app.get(&format!("{base}?pageSize=2&page=2&orderBy=-created")).await, StatusCode::OK).await;

        assert_eq!(banking["results"][0]["integrationKey"], "suuo");
        assert_eq!(by_key["results"], json!([sandbox]));
        assert_eq!((paged["totalResults"].clone(), paged["results"][0]["integrationKey"].clone()), (json!(3), json!("mqjo")));
        error_of(app.get(&format!("{base}?query=colour%3Dred")).await, StatusCode::BAD_REQUEST).await;
    }

    async fn unknown_disabled_or_missing_platforms_are_refused(app: TestApp) {
        let company = company(&app).await;
        let path = format!("/companies/{company}/connections");
        app.send_json(Method::PATCH, "/integrations/gbol/settings", &json!({"enabled": false})).await;

        for (body, rule) in [(json!({"platformKey": "zzzz"}), "UnknownIntegration"), (json!({"platformKey": "gbol"}), "DisabledIntegration"),
                             (json!({"platformKey": "GB0L"}), "PlatformKey"), (json!({}), "Required")] {
            let error = error_of(app.post(&path, &body).await, StatusCode::BAD_REQUEST).await;
            assert_eq!(invalid_items(&error), ["platformKey"]);
            assert_eq!(error["validation"]["errors"][0]["validatorName"], rule, "{body}");
        }
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await["totalResults"], 0);
    }

    async fn connections_of_unknown_companies_are_404(app: TestApp) {
        let missing = uuid::Uuid::new_v4();

        error_of(app.post(&format!("/companies/{missing}/connections"), &json!({"platformKey": "mqjo"})).await, StatusCode::NOT_FOUND).await;
        error_of(app.get(&format!("/companies/{missing}/connections")).await, StatusCode::NOT_FOUND).await;
        let company = company(&app).await;
        error_of(app.get(&format!("/companies/{company}/connections/{missing}")).await, StatusCode::NOT_FOUND).await;
        error_of(app.get(&format!("/companies/{company}/connections/nope")).await, StatusCode::BAD_REQUEST).await;
    }

    async fn unlinking_a_pending_connection_is_refused(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "mqjo").await;
        let path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());

        let refused = app.send_json(Method::PATCH, &path, &json!({"status": "Unlinked"})).await;

        let body = error_of(refused, StatusCode::CONFLICT).await;
        assert!(body["error"].as_str().unwrap().contains("Only a Linked connection can be unlinked"));
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, connection, "nothing changed");
    }

    async fn a_client_can_only_set_the_status_to_unlinked(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "mqjo").await;
        let path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());

        for body in [json!({"status": "Linked"}), json!({"status": "unlinked"}), json!({}), json!({"status": 1})] {
            error_of(app.send_json(Method::PATCH, &path, &body).await, StatusCode::BAD_REQUEST).await;
        }
    }

    async fn deleting_a_connection_returns_200_with_an_empty_body(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "mqjo").await;
        let path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());

        let response = app.delete(&path).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.bytes().await.unwrap().is_empty());
        error_of(app.get(&path).await, StatusCode::NOT_FOUND).await;
        error_of(app.delete(&path).await, StatusCode::NOT_FOUND).await;
        connect(&app, &company, "gbol").await;
    }

    async fn history_records_every_transition_with_its_actor(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "mqjo").await;
        let path = format!("/companies/{company}/connections/{}/history", connection["id"].as_str().unwrap());
        let key_id = json_of(app.get("/apiKeys").await, StatusCode::OK).await["results"][0]["id"].as_str().unwrap().to_owned();

        let history = json_of(app.get(&path).await, StatusCode::OK).await;

        let entries = history["results"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["to"], "PendingAuth");
        assert!(entries[0].get("from").is_none());
        assert_eq!(entries[0]["cause"], "Created");
        assert_eq!(entries[0]["actor"], format!("client:{key_id}"));
    }

    async fn concurrent_deletes_of_one_connection_succeed_exactly_once(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "mqjo").await;
        let path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());

        let attempts: Vec<_> = (0..8).map(|_| tokio::spawn(app.request(Method::DELETE, &path).send())).collect();
        let mut statuses = Vec::new();
        for attempt in attempts {
            statuses.push(attempt.await.unwrap().unwrap().status());
        }

        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| [StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::CONFLICT].contains(s)));
    }

    async fn deleting_a_company_deletes_its_connections(app: TestApp) {
        // Stripe (exgd) takes an API key: the linked connection holds a sealed secret and a history.
        let (company, shop) = app.consented_connection("exgd").await;
        let path = format!("/companies/{company}/connections/{}", shop["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{path}/authorization"), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await, StatusCode::OK).await;
        let tables = ["connections", "connection_secrets", "connection_history"];
        for table in tables {
            assert!(app.count(&format!("SELECT COUNT(*) FROM {table}")).await > 0, "{table} holds the company's rows before");
        }

        let deleted = app.delete(&format!("/companies/{company}")).await;

        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        for table in tables {
            assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table} keeps nothing of the company");
        }
        error_of(app.get(&path).await, StatusCode::NOT_FOUND).await;
    }

    async fn another_clients_connections_are_invisible(app: TestApp) {
        let company = company(&app).await;
        let connection = connect(&app, &company, "mqjo").await;
        let other = app.with_key(&app.other_client_key().await);
        let path = format!("/companies/{company}/connections/{}", connection["id"].as_str().unwrap());

        error_of(other.get(&path).await, StatusCode::NOT_FOUND).await;
        error_of(other.delete(&path).await, StatusCode::NOT_FOUND).await;
        error_of(other.get(&format!("/companies/{company}/connections")).await, StatusCode::NOT_FOUND).await;
        error_of(other.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "suuo"})).await, StatusCode::NOT_FOUND).await;
        json_of(app.get(&path).await, StatusCode::OK).await;
    }
}
