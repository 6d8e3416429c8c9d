use base64::Engine;
use reqwest::{Method, StatusCode};
use tests::{error_of, json_of, on_both_stores, API_KEY};

fn basic(text: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

on_both_stores! {
    async fn basic_and_bearer_keys_are_both_accepted(app: TestApp) {
        for header in [basic(API_KEY), basic(&format!("{API_KEY}:")), format!("Bearer {API_KEY}"), format!("bearer {API_KEY}")] {
            let response = app.anonymous(Method::GET, "/companies").header("authorization", &header).send().await.unwrap();

            json_of(response, StatusCode::OK).await;
        }
    }

    async fn a_missing_wrong_or_malformed_key_is_401(app: TestApp) {
        let headers = [None, Some(basic("wrong-key")), Some("Bearer ".to_owned()), Some(API_KEY.to_owned()),
                       Some("Basic %%%".to_owned()), Some(format!("Token {API_KEY}")), Some(basic(&API_KEY[1..]))];
        for header in headers {
            let mut request = app.anonymous(Method::GET, "/companies");
            if let Some(header) = &header {
                request = request.header("authorization", header);
            }

            let response = request.send().await.unwrap();

            assert!(response.headers().contains_key("www-authenticate"));
            let body = error_of(response, StatusCode::UNAUTHORIZED).await;
            assert_eq!(body["error"], "Unauthorized", "{header:?}");
        }
    }

    async fn unauthenticated_writes_are_refused_before_their_body_is_read(app: TestApp) {
        let json = app.anonymous(Method::POST, "/companies").header("content-type", "application/json").body("not json").send().await.unwrap();
        let text = app.anonymous(Method::POST, "/companies").header("content-type", "text/plain").body("not json").send().await.unwrap();

        error_of(json, StatusCode::UNAUTHORIZED).await;
        error_of(text, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        assert_eq!(json_of(app.get("/companies").await, StatusCode::OK).await["totalResults"], 0);
    }

    async fn a_401_asks_for_a_bearer_token_so_browsers_never_prompt_for_a_password(app: TestApp) {
        let response = app.anonymous(Method::GET, "/companies").send().await.unwrap();

        let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(!challenge.to_ascii_lowercase().contains("basic"), "{challenge}");
        error_of(response, StatusCode::UNAUTHORIZED).await;
    }
}
