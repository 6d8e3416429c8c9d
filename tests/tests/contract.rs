//! The served OpenAPI document keeps the Codat contract for the operations
//! Link API shares with it, and the docs page works with no network.

use reqwest::{Method, StatusCode};

use tests::{spawn, Backend};

/// (method, path, operationId, success status) as the reference defines them.
const CODAT_OPERATIONS: &[(&str, &str, &str, &str)] = &[
    ("get", "/companies", "list-companies", "200"),
    ("post", "/companies", "create-company", "200"),
    ("get", "/companies/{companyId}", "get-company", "200"),
    ("put", "/companies/{companyId}", "replace-company", "200"),
    ("patch", "/companies/{companyId}", "update-company", "200"),
    ("delete", "/companies/{companyId}", "delete-company", "204"),
    ("get", "/apiKeys", "list-api-keys", "200"),
    ("post", "/apiKeys", "create-api-key", "201"),
    ("delete", "/apiKeys/{apiKeyId}", "delete-api-key", "204"),
    (
        "get",
        "/companies/{companyId}/accessToken",
        "get-company-access-token",
        "200",
    ),
    ("get", "/corsSettings", "get-cors-settings", "200"),
    ("post", "/corsSettings", "set-cors-settings", "200"),
    (
        "get",
        "/companies/{companyId}/connectionManagement/accessToken",
        "get-connection-management-access-token",
        "200",
    ),
    (
        "get",
        "/connectionManagement/corsSettings",
        "get-connection-management-cors-settings",
        "200",
    ),
    (
        "post",
        "/connectionManagement/corsSettings",
        "set-connection-management-cors-settings",
        "200",
    ),
];

#[tokio::test]
async fn codat_operations_keep_their_ids_paths_and_status_codes() {
    let app = spawn(Backend::Sqlite).await;

    let document = app.spec().await;

    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        document["components"]["securitySchemes"]["auth_header"]["type"],
        "apiKey"
    );
    assert_eq!(
        document["components"]["securitySchemes"]["auth_header"]["name"],
        "Authorization"
    );
    for (method, path, operation_id, success) in CODAT_OPERATIONS {
        let operation = &document["paths"][path][method];
        assert_eq!(operation["operationId"], *operation_id, "{method} {path}");
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.contains_key(*success),
            "{operation_id} documents {success}"
        );
        let successes: Vec<&String> = responses
            .keys()
            .filter(|code| code.starts_with('2'))
            .collect();
        assert_eq!(
            successes,
            [success],
            "{operation_id} has exactly one success code"
        );
        assert!(
            responses.contains_key("401"),
            "{operation_id} documents 401"
        );
    }
}

#[tokio::test]
async fn every_operation_documents_its_errors_with_the_error_body() {
    let app = spawn(Backend::Sqlite).await;

    let document = app.spec().await;

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (code, response) in operation["responses"].as_object().unwrap() {
                if code.starts_with('4') || code.starts_with('5') {
                    let reference = response["$ref"].as_str().unwrap_or_default();
                    assert!(
                        reference.starts_with("#/components/responses/"),
                        "{method} {path} {code}"
                    );
                }
            }
        }
    }
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        let content = &response["content"]["application/json"];
        assert_eq!(
            content["schema"]["$ref"], "#/components/schemas/ErrorMessage",
            "{name}"
        );
        assert!(
            content["example"]["correlationId"].is_string(),
            "{name} has an example"
        );
    }
}

#[tokio::test]
async fn every_rate_limited_operation_documents_its_429_and_every_write_its_415() {
    let app = spawn(Backend::Sqlite).await;

    let document = app.spec().await;

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let health = operation["tags"][0] == "Health";
            assert_eq!(responses.contains_key("429"), !health, "{method} {path}");
            if method != "get" {
                assert!(responses.contains_key("415"), "{method} {path}");
            }
        }
    }
    let too_many = &document["components"]["responses"]["TooManyRequests"];
    assert_eq!(
        too_many["headers"]["Retry-After"]["schema"]["type"],
        "integer"
    );
}

#[tokio::test]
async fn the_yaml_document_is_served_too() {
    let app = spawn(Backend::Sqlite).await;

    let response = app
        .anonymous(Method::GET, "/openapi.yaml")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().starts_with("openapi: 3.1"));
}

#[tokio::test]
async fn the_docs_page_loads_only_its_own_assets() {
    let app = spawn(Backend::Sqlite).await;

    let redirect = app.anonymous(Method::GET, "/docs").send().await.unwrap();
    let page = app
        .anonymous(Method::GET, "/docs/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let initializer = app
        .anonymous(Method::GET, "/docs/swagger-initializer.js")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css"))
        .collect();
    assert!(!assets.is_empty());
    for asset in assets {
        assert!(
            !asset.contains("//"),
            "{asset} must be served by the service itself"
        );
        let served = app
            .anonymous(
                Method::GET,
                &format!("/docs/{}", asset.trim_start_matches("./")),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), StatusCode::OK, "{asset}");
    }
    assert!(initializer.contains("\"/openapi.json\""));
    assert!(
        initializer.contains("\"validatorUrl\": \"none\""),
        "no validator badge from the internet"
    );
}
