//! `detailedErrorCode`: one refusal of each kind answers its code from the
//! table, with the table's status and `canBeRetried`. (Every other test that
//! reads an error body checks that its code is in the table and belongs to its
//! status; see `tests::error_of`.)

use std::collections::HashSet;

use reqwest::{Method, Response};
use serde_json::json;
use tests::{on_both_stores, refusal_of, ErrorCode};

const MISSING: &str = "0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41";

/// Checks that `response` is a refusal of kind `code`, and records the kind as seen.
async fn expect(seen: &mut HashSet<ErrorCode>, code: ErrorCode, response: Response) {
    refusal_of(response, code).await;
    seen.insert(code);
}

on_both_stores! {
    async fn each_kind_of_refusal_answers_its_own_code(app: TestApp) {
        let mut seen = HashSet::new();
        let company = app.new_company("Acme Codes").await;
        let token = app.company_token(&company).await;
        let customer = app.with_key(&token);
        let base = format!("/companies/{company}");

        // 400s
        expect(&mut seen, ErrorCode::InvalidRequest, app.post("/companies", &json!({"name": ""})).await).await;
        expect(&mut seen, ErrorCode::InvalidQuery, app.get("/companies?query=colour%3Dred").await).await;
        let not_json = app.request(Method::POST, "/companies").header("content-type", "application/json").body("{").send().await.unwrap();
        expect(&mut seen, ErrorCode::MalformedBody, not_json).await;
        expect(&mut seen, ErrorCode::InvalidPathParameter, app.get("/companies/not-a-uuid").await).await;
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let deep = app.request(Method::POST, "/companies").header("content-type", "application/json").body(deep).send().await.unwrap();
        expect(&mut seen, ErrorCode::BodyTooDeep, deep).await;
        let bad_key = app.request(Method::POST, "/companies").header("idempotency-key", "").json(&json!({"name": "A"})).send().await.unwrap();
        expect(&mut seen, ErrorCode::InvalidIdempotencyKey, bad_key).await;

        // 401s
        expect(&mut seen, ErrorCode::MissingCredentials, app.anonymous(Method::GET, "/companies").send().await.unwrap()).await;
        expect(&mut seen, ErrorCode::UnknownApiKey, app.with_key("no-such-key").get("/companies").await).await;
        let forged = app.anonymous(Method::GET, &format!("{base}/connections")).bearer_auth(format!("{token}x")).send().await.unwrap();
        expect(&mut seen, ErrorCode::InvalidCompanyToken, forged).await;

        // 403s
        expect(&mut seen, ErrorCode::TokenNotAllowed, customer.get("/companies").await).await;
        let foreign = customer.request(Method::GET, &format!("{base}/connections")).header("origin", "https://elsewhere.example").send().await.unwrap();
        expect(&mut seen, ErrorCode::OriginNotAllowed, foreign).await;
        let connection = app.post(&format!("{base}/connections"), &json!({"platformKey": "exgd"})).await;
        let connection = tests::json_of(connection, reqwest::StatusCode::OK).await;
        let path = format!("{base}/connections/{}/authorization", connection["id"].as_str().unwrap());
        let unconsented = app.send_json(Method::PUT, &path, &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await;
        expect(&mut seen, ErrorCode::ConsentRequired, unconsented).await;

        // 404s
        expect(&mut seen, ErrorCode::RouteNotFound, app.get("/no/such/route").await).await;
        expect(&mut seen, ErrorCode::CompanyNotFound, app.get(&format!("/companies/{MISSING}")).await).await;
        expect(&mut seen, ErrorCode::ConnectionNotFound, app.get(&format!("{base}/connections/{MISSING}")).await).await;
        expect(&mut seen, ErrorCode::IntegrationNotFound, app.get("/integrations/zzzz").await).await;
        expect(&mut seen, ErrorCode::WebhookNotFound, app.delete(&format!("/webhooks/{MISSING}")).await).await;
        expect(&mut seen, ErrorCode::ApiKeyNotFound, app.delete(&format!("/apiKeys/{MISSING}")).await).await;
        expect(&mut seen, ErrorCode::InvitationNotFound, app.delete(&format!("{base}/invitations/{MISSING}")).await).await;
        expect(&mut seen, ErrorCode::LinkSettingsVersionNotFound, app.get("/linkSettings/versions/99").await).await;

        // 405, 409, 413, 414, 415
        expect(&mut seen, ErrorCode::MethodNotAllowed, app.request(Method::PUT, "/companies").send().await.unwrap()).await;
        let once = |name: &str| app.request(Method::POST, "/companies").header("idempotency-key", "codes-1").json(&json!({"name": name}));
        tests::json_of(once("First").send().await.unwrap(), reqwest::StatusCode::OK).await;
        expect(&mut seen, ErrorCode::IdempotencyKeyReused, once("Second").send().await.unwrap()).await;
        let big = app.request(Method::POST, "/companies").header("content-type", "application/json").body(vec![b' '; 2 * 1024 * 1024]).send().await.unwrap();
        expect(&mut seen, ErrorCode::BodyTooLarge, big).await;
        expect(&mut seen, ErrorCode::QueryStringTooLong, app.get(&format!("/companies?query={}", "a".repeat(5000))).await).await;
        let text = app.request(Method::POST, "/companies").header("content-type", "text/plain").body("name").send().await.unwrap();
        expect(&mut seen, ErrorCode::UnsupportedMediaType, text).await;

        assert!(seen.len() >= 25, "{} kinds seen", seen.len());
    }
}
