use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores};

fn tags(count: usize) -> Value {
    Value::Object((0..count).map(|i| (format!("k{i}"), json!("v"))).collect())
}

on_both_stores! {
    async fn creating_a_company_returns_200_with_the_contract_fields(app: TestApp) {
        let response = app.post("/companies", &json!({"name": "Technicalium"})).await;

        let body = json_of(response, StatusCode::OK).await;
        let id = body["id"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok());
        assert_eq!(body["name"], "Technicalium");
        assert_eq!(body["redirect"], format!("http://link.test/link/company/{id}"));
        assert_eq!(body["dataConnections"], json!([]));
        assert!(body["created"].as_str().unwrap().ends_with('Z'));
        let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["created", "dataConnections", "id", "name", "redirect"], "no nulls, no empty optionals");
    }

    async fn description_and_tags_are_stored_and_returned(app: TestApp) {
        let body = app.create_company(json!({"name": "Acme", "description": "ref 42", "tags": {"region": "uk", "uid": "7"}})).await;

        let fetched = json_of(app.get(&format!("/companies/{}", body["id"].as_str().unwrap())).await, StatusCode::OK).await;
        assert_eq!(fetched, body);
        assert_eq!(fetched["description"], "ref 42");
        assert_eq!(fetched["tags"], json!({"region": "uk", "uid": "7"}));
    }

    async fn forbidden_characters_are_removed_from_names(app: TestApp) {
        let body = app.create_company(json!({"name": "Company (Codat[1])"})).await;

        assert_eq!(body["name"], "Company Codat1");
    }

    async fn a_name_of_only_forbidden_characters_is_refused(app: TestApp) {
        let response = app.post("/companies", &json!({"name": "()[]{}"})).await;

        let body = error_of(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(invalid_items(&body), ["name"]);
        assert_eq!(body["validation"]["errors"][0]["validatorName"], "Required");
    }

    async fn a_missing_or_empty_name_is_refused(app: TestApp) {
        for body in [json!({}), json!({"name": ""}), json!({"name": null}), json!({"description": "x"})] {
            let response = app.post("/companies", &body).await;

            let error = error_of(response, StatusCode::BAD_REQUEST).await;
            assert_eq!(invalid_items(&error), ["name"], "{body}");
        }
    }

    async fn tag_limits_are_enforced_and_each_violation_reported(app: TestApp) {
        let mut too_many = tags(11);
        too_many["x".repeat(28)] = json!("y".repeat(101));
        too_many[""] = json!("empty key");

        let response = app.post("/companies", &json!({"name": "Acme", "tags": too_many})).await;

        let body = error_of(response, StatusCode::BAD_REQUEST).await;
        let rules: Vec<&str> = body["validation"]["errors"].as_array().unwrap().iter().map(|e| e["validatorName"].as_str().unwrap()).collect();
        assert_eq!(rules, ["MaxProperties", "KeyLength", "KeyLength", "MaxLength"]);
        let listed = json_of(app.get("/companies").await, StatusCode::OK).await;
        assert_eq!(listed["totalResults"], 0, "nothing was stored");
    }

    async fn ten_tags_at_the_limits_are_accepted(app: TestApp) {
        let mut full = tags(9);
        full["k".repeat(27)] = json!("v".repeat(100));

        let body = app.create_company(json!({"name": "Acme", "tags": full})).await;

        assert_eq!(body["tags"].as_object().unwrap().len(), 10);
    }

    async fn values_of_the_wrong_type_are_refused(app: TestApp) {
        for body in [json!({"name": 5}), json!({"name": "A", "tags": {"a": 1}}), json!({"name": "A", "tags": ["a"]}), json!(["name"])] {
            let response = app.post("/companies", &body).await;

            error_of(response, StatusCode::BAD_REQUEST).await;
        }
    }

    async fn an_unknown_company_is_404_and_a_malformed_id_400(app: TestApp) {
        let missing = uuid::Uuid::new_v4();

        let not_found = error_of(app.get(&format!("/companies/{missing}")).await, StatusCode::NOT_FOUND).await;
        let malformed = error_of(app.get("/companies/not-a-uuid").await, StatusCode::BAD_REQUEST).await;

        assert!(not_found["error"].as_str().unwrap().contains(&missing.to_string()));
        assert!(malformed["error"].as_str().unwrap().contains("not-a-uuid"));
    }

    async fn replacing_a_company_clears_what_is_left_out(app: TestApp) {
        let created = app.create_company(json!({"name": "Acme", "description": "d", "tags": {"a": "1"}})).await;
        let path = format!("/companies/{}", created["id"].as_str().unwrap());

        let response = app.send_json(Method::PUT, &path, &json!({"name": "Acme (Holdings)"})).await;

        let body = json_of(response, StatusCode::OK).await;
        assert_eq!(body["name"], "Acme Holdings");
        assert!(body.get("description").is_none() && body.get("tags").is_none(), "{body}");
        assert_eq!(body["created"], created["created"]);
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, body);
    }

    async fn replacing_without_a_name_is_refused_and_changes_nothing(app: TestApp) {
        let created = app.create_company(json!({"name": "Acme", "description": "d"})).await;
        let path = format!("/companies/{}", created["id"].as_str().unwrap());

        let response = app.send_json(Method::PUT, &path, &json!({"description": "new"})).await;

        error_of(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, created);
    }

    async fn patching_changes_only_the_fields_sent(app: TestApp) {
        let created = app.create_company(json!({"name": "Acme", "description": "d", "tags": {"a": "1"}})).await;
        let path = format!("/companies/{}", created["id"].as_str().unwrap());

        let renamed = json_of(app.send_json(Method::PATCH, &path, &json!({"name": "Acme 2", "description": null})).await, StatusCode::OK).await;
        let retagged = json_of(app.send_json(Method::PATCH, &path, &json!({"tags": {"b": "2"}})).await, StatusCode::OK).await;
        let cleared = json_of(app.send_json(Method::PATCH, &path, &json!({"description": "", "tags": {}})).await, StatusCode::OK).await;
        let untouched = json_of(app.send_json(Method::PATCH, &path, &json!({})).await, StatusCode::OK).await;

        assert_eq!((renamed["name"].clone(), renamed["description"].clone(), renamed["tags"].clone()), (json!("Acme 2"), json!("d"), json!({"a": "1"})));
        assert_eq!((retagged["name"].clone(), retagged["tags"].clone()), (json!("Acme 2"), json!({"b": "2"})));
        assert!(cleared.get("description").is_none() && cleared.get("tags").is_none(), "{cleared}");
        assert_eq!(untouched, cleared);
    }

    async fn patching_with_invalid_fields_is_refused_and_changes_nothing(app: TestApp) {
        let created = app.create_company(json!({"name": "Acme"})).await;
        let path = format!("/companies/{}", created["id"].as_str().unwrap());

        let response = app.send_json(Method::PATCH, &path, &json!({"name": "[]", "tags": tags(11)})).await;

        let body = error_of(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(invalid_items(&body), ["name", "tags"]);
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, created);
    }

    async fn changing_an_unknown_company_is_404(app: TestApp) {
        let path = format!("/companies/{}", uuid::Uuid::new_v4());

        error_of(app.send_json(Method::PUT, &path, &json!({"name": "A"})).await, StatusCode::NOT_FOUND).await;
        error_of(app.send_json(Method::PATCH, &path, &json!({"name": "A"})).await, StatusCode::NOT_FOUND).await;
        error_of(app.delete(&path).await, StatusCode::NOT_FOUND).await;
    }

    async fn deleting_a_company_returns_204_and_it_is_gone(app: TestApp) {
        let created = app.create_company(json!({"name": "Acme"})).await;
        let path = format!("/companies/{}", created["id"].as_str().unwrap());

        let response = app.delete(&path).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(response.bytes().await.unwrap().is_empty());
        error_of(app.get(&path).await, StatusCode::NOT_FOUND).await;
        error_of(app.delete(&path).await, StatusCode::NOT_FOUND).await;
    }

    async fn malformed_json_is_refused_with_the_error_body(app: TestApp) {
        let response = app.request(Method::POST, "/companies").header("content-type", "application/json").body("{\"name\": ").send().await.unwrap();

        let body = error_of(response, StatusCode::BAD_REQUEST).await;
        assert!(body["error"].as_str().unwrap().contains("not valid JSON"));
    }

    async fn a_body_that_is_not_json_is_415(app: TestApp) {
        for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
            let mut request = app.request(Method::POST, "/companies").body("{\"name\": \"Acme\"}");
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }

            error_of(request.send().await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        }
    }

    async fn an_oversized_body_is_413(app: TestApp) {
        let huge = json!({"name": "A", "description": "x".repeat(300_000)});

        let response = app.post("/companies", &huge).await;

        error_of(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    }
}
