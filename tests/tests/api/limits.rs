//! Limits on requests: query length, headers, JSON depth, page size, slow clients.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, on_both_stores, spawn_with, API_KEY};

/// Sends `head` (and `body`) over a raw connection, waits, and returns what came back.
fn raw(address: &str, head: &str, body: &str) -> (String, Duration) {
    let mut stream = std::net::TcpStream::connect(address.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

on_both_stores! {
    async fn oversized_requests_get_their_status_and_the_error_body(app: TestApp) {
        let long_query = app.get(&format!("/companies?query=name%3D{}", "a".repeat(5000))).await;
        let mut many = app.request(Method::GET, "/companies");
        for n in 0..70 {
            many = many.header(format!("x-extra-{n}"), "1");
        }
        let many_headers = many.send().await.unwrap();
        let big_header = app.request(Method::GET, "/companies").header("x-big", "b".repeat(20_000)).send().await.unwrap();
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let nested = app.request(Method::POST, "/companies").header("content-type", "application/json").body(format!("{{\"name\": \"Acme\", \"ignored\": {deep}}}")).send().await.unwrap();
        let big_page = app.get("/companies?pageSize=5001").await;
        let big_body = app.post("/companies", &json!({"name": "x".repeat(300_000)})).await;

        error_of(long_query, StatusCode::URI_TOO_LONG).await;
        error_of(many_headers, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).await;
        error_of(big_header, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).await;
        let nested = error_of(nested, StatusCode::BAD_REQUEST).await;
        assert!(nested["error"].as_str().unwrap().contains("deeper than 32"), "{nested}");
        error_of(big_page, StatusCode::BAD_REQUEST).await;
        error_of(big_body, StatusCode::PAYLOAD_TOO_LARGE).await;
    }
}

on_both_stores! {
    async fn slow_clients_are_timed_out(backend: Backend) {
        let app = spawn_with(backend, &["--client-timeout-secs", "1"]).await;
        let address = app.address.clone();

        let (slow_body, waited) = tokio::task::spawn_blocking(move || {
            let head = format!("POST /companies HTTP/1.1\r\nHost: link.test\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
            raw(&address, &head, "{\"name\": ")
        }).await.unwrap();
        let address = app.address.clone();
        let (slow_head, head_waited) = tokio::task::spawn_blocking(move || raw(&address, "GET /companies HTTP/1.1\r\nHost: link.test\r\n", "")).await.unwrap();

        assert!(slow_body.starts_with("HTTP/1.1 408"), "{slow_body}");
        assert!(slow_body.contains("\"statusCode\":408"), "the error body: {slow_body}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
        assert!(slow_head.is_empty() || slow_head.starts_with("HTTP/1.1 408"), "{slow_head}");
        assert!(head_waited < Duration::from_secs(5), "{head_waited:?}");
        let companies = app.get("/companies").await;
        assert_eq!(companies.status(), StatusCode::OK, "nothing was created and the service is fine");
        assert_eq!(companies.json::<serde_json::Value>().await.unwrap()["totalResults"], 0);
    }
}
