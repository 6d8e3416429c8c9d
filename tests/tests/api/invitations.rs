//! Invitations: issue, open, link, complete; revocation and expiry; bad input.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

const JOURNEY: &str = "https://app.example/connect?invite={token}";

async fn company(app: &TestApp) -> String {
    app.new_company("Acme").await
}

async fn set_invitation_url(app: &TestApp) {
    app.set_invitation_url(JOURNEY).await;
}

async fn invite(app: &TestApp, company: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/companies/{company}/invitations"), &body)
        .await
}

/// The invitation token in a share URL made from [`JOURNEY`].
fn token_of(invitation: &Value) -> String {
    invitation["shareUrl"]
        .as_str()
        .unwrap()
        .strip_prefix("https://app.example/connect?invite=")
        .unwrap()
        .to_owned()
}

async fn exchange(app: &TestApp, token: &str) -> reqwest::Response {
    app.anonymous(Method::POST, "/invitations/exchange")
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap()
}

async fn statuses(app: &TestApp, company: &str) -> Vec<String> {
    let listed = json_of(
        app.get(&format!("/companies/{company}/invitations")).await,
        StatusCode::OK,
    )
    .await;
    listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap().to_owned())
        .collect()
}

on_both_stores! {
    async fn an_invitation_is_issued_opened_used_and_completed(app: TestApp) {
        set_invitation_url(&app).await;
        let company = company(&app).await;
        let books = json_of(app.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "gbol"})).await, StatusCode::OK).await;
        let body = json!({"categories": ["commerce"], "recipient": {"name": "Grace Hopper", "email": "grace@example.com"}, "message": "Could you connect the shop?"});

        let issued = json_of(invite(&app, &company, body).await, StatusCode::CREATED).await;

        assert_eq!((issued["status"].clone(), issued["categories"].clone()), (json!("pending"), json!(["commerce"])));
        assert_eq!((issued["recipientName"].clone(), issued["recipientEmail"].clone()), (json!("Grace Hopper"), json!("grace@example.com")));
        let created = chrono::DateTime::parse_from_rfc3339(issued["created"].as_str().unwrap()).unwrap();
        let expires = chrono::DateTime::parse_from_rfc3339(issued["expiresAt"].as_str().unwrap()).unwrap();
        assert_eq!((expires - created).num_hours(), 72);
        let mailto = issued["mailtoUrl"].as_str().unwrap();
        assert!(mailto.starts_with("mailto:grace@example.com?subject="), "{mailto}");
        assert!(mailto.contains("Could%20you%20connect%20the%20shop%3F"), "{mailto}");
        assert!(mailto.contains(&token_of(&issued)), "the email carries the share URL");
        let listed = json_of(app.get(&format!("/companies/{company}/invitations")).await, StatusCode::OK).await;
        assert!(listed["results"][0].get("shareUrl").is_none(), "the share URL is shown once");

        let opened = json_of(exchange(&app, &token_of(&issued)).await, StatusCode::OK).await;
        assert_eq!((opened["categories"].clone(), opened["companyId"].clone(), opened["invitationId"].clone()), (json!(["commerce"]), json!(company), issued["id"].clone()));
        assert!(opened["expiresIn"].as_i64().unwrap() <= 86_400);
        assert_eq!((opened["companyName"].clone(), opened["recipientName"].clone(), opened["message"].clone()),
            (json!("Acme"), json!("Grace Hopper"), json!("Could you connect the shop?")), "what the invitee's landing says");
        assert_eq!(statuses(&app, &company).await, ["opened"]);

        let invitee = app.with_key(opened["accessToken"].as_str().unwrap());
        let status = json_of(invitee.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(status["categories"].as_array().unwrap().len(), 1, "only the invited category");
        assert_eq!((status["categories"][0]["required"].clone(), status["complete"].clone()), (json!(true), json!(false)));
        error_of(invitee.post(&format!("/companies/{company}/consents"), &json!({"categories": ["accounting"]})).await, StatusCode::FORBIDDEN).await;
        error_of(invitee.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "gbol"})).await, StatusCode::FORBIDDEN).await;
        error_of(invitee.get(&format!("/companies/{company}/connections/{}", books["id"].as_str().unwrap())).await, StatusCode::FORBIDDEN).await;
        error_of(invite(&invitee, &company, json!({"categories": ["commerce"]})).await, StatusCode::FORBIDDEN).await;
        let listed = json_of(invitee.get(&format!("/companies/{company}/connections")).await, StatusCode::OK).await;
        assert_eq!(listed["totalResults"], 0, "the accounting connection is not the invitee's to see");

        invitee.consent(&company, &["commerce"]).await;
        let shop = json_of(invitee.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "ltpp"})).await, StatusCode::OK).await;
        let path = format!("/companies/{company}/connections/{}/authorization", shop["id"].as_str().unwrap());
        let woo = json!({"storeUrl": "https://shop.example", "consumerKey": "ck_0123456789abcdefghij", "consumerSecret": "cs_0123456789abcdefghij"});
        let linked = json_of(invitee.send_json(Method::PUT, &path, &woo).await, StatusCode::OK).await;

        assert_eq!(linked["status"], "Linked");
        assert_eq!(statuses(&app, &company).await, ["completed"]);
        let done = json_of(invitee.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(done["complete"], true);
        let full = json_of(app.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!((full["complete"].clone(), full["missing"].clone()), (json!(false), json!(["accounting"])), "the client still misses accounting");
    }

    async fn a_revoked_invitation_and_its_tokens_are_refused_at_once(app: TestApp) {
        set_invitation_url(&app).await;
        let company = company(&app).await;
        let issued = json_of(invite(&app, &company, json!({"categories": ["commerce"]})).await, StatusCode::CREATED).await;
        let opened = json_of(exchange(&app, &token_of(&issued)).await, StatusCode::OK).await;
        let invitee = app.with_key(opened["accessToken"].as_str().unwrap());
        json_of(invitee.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        let path = format!("/companies/{company}/invitations/{}", issued["id"].as_str().unwrap());

        let revoked = app.delete(&path).await;

        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let again = error_of(exchange(&app, &token_of(&issued)).await, StatusCode::FORBIDDEN).await;
        assert!(again["error"].as_str().unwrap().contains("revoked"), "{again}");
        error_of(invitee.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(statuses(&app, &company).await, ["revoked"]);
        assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT, "revoking twice changes nothing");
        error_of(app.delete(&format!("/companies/{company}/invitations/{}", uuid::Uuid::new_v4())).await, StatusCode::NOT_FOUND).await;
        let other = self::company(&app).await;
        error_of(app.delete(&format!("/companies/{other}/invitations/{}", issued["id"].as_str().unwrap())).await, StatusCode::NOT_FOUND).await;
    }

    async fn an_expired_invitation_and_its_tokens_are_refused(app: TestApp) {
        set_invitation_url(&app).await;
        let company = company(&app).await;
        let issued = json_of(invite(&app, &company, json!({"categories": ["banking"], "expiresInHours": 1})).await, StatusCode::CREATED).await;
        let opened = json_of(exchange(&app, &token_of(&issued)).await, StatusCode::OK).await;
        assert!(opened["expiresIn"].as_i64().unwrap() <= 3_600, "the token ends with the invitation");
        let invitee = app.with_key(opened["accessToken"].as_str().unwrap());

        app.execute_sql("UPDATE invitations SET expires_at = created_sentinel").await;

        let late = error_of(exchange(&app, &token_of(&issued)).await, StatusCode::FORBIDDEN).await;
        assert!(late["error"].as_str().unwrap().contains("expired"), "{late}");
        error_of(invitee.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(statuses(&app, &company).await, ["expired"]);
    }

    async fn invalid_invitations_are_refused_and_nothing_is_stored(app: TestApp) {
        let company = company(&app).await;

        let everything = error_of(invite(&app, &company, json!({
            "categories": ["payroll"], "recipient": {"email": "not an email"}, "message": "x".repeat(1001),
            "expiresInHours": 721, "journeyUrl": "ftp://app.example", "locale": "de\r\nBcc: x"})).await, StatusCode::BAD_REQUEST).await;
        let empty = error_of(invite(&app, &company, json!({"categories": [], "journeyUrl": "https://app.example/go", "expiresInHours": 0})).await, StatusCode::BAD_REQUEST).await;
        let unknown = invite(&app, &uuid::Uuid::new_v4().to_string(), json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"})).await;
        let foreign = invite(&app.with_key(&app.other_client_key().await), &company, json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"})).await;

        let mut fields = invalid_items(&everything);
        fields.sort();
        assert_eq!(fields, ["categories", "expiresInHours", "journeyUrl", "locale", "message", "recipient.email"]);
        assert_eq!(invalid_items(&empty), ["categories", "expiresInHours"]);
        error_of(unknown, StatusCode::NOT_FOUND).await;
        error_of(foreign, StatusCode::NOT_FOUND).await;
        assert!(statuses(&app, &company).await.is_empty());
    }

    async fn the_ready_email_speaks_the_invitations_language_and_says_its_date_in_words(app: TestApp) {
        let company = company(&app).await;

        let issued = json_of(invite(&app, &company, json!({"categories": ["banking"], "locale": "de-DE",
            "recipient": {"name": "Grete", "email": "grete@example.com"}})).await, StatusCode::CREATED).await;

        let mailto = issued["mailtoUrl"].as_str().unwrap();
        let (_, query) = mailto.split_once('?').unwrap();
        let fields: std::collections::HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let client = json_of(app.get("/profile").await, StatusCode::OK).await["name"].as_str().unwrap().to_owned();
        assert_eq!(fields["subject"], format!("{client} bittet Sie, Daten Ihres Unternehmens zu verbinden"));
        let body = &fields["body"];
        assert!(body.starts_with(&format!("Hallo Grete,\n\n{client} bittet Sie, folgende Daten zu verbinden: Bankkonten.")), "{body}");
        let expires = chrono::DateTime::parse_from_rfc3339(issued["expiresAt"].as_str().unwrap()).unwrap();
        let month = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"];
        let said = format!("Dieser Link gilt bis {}. {} {}", chrono::Datelike::day(&expires),
            month[chrono::Datelike::month0(&expires) as usize], chrono::Datelike::year(&expires));
        assert!(body.contains(&said), "{body}");
        assert!(body.contains(issued["shareUrl"].as_str().unwrap()));
    }

    async fn without_an_invitation_url_the_share_url_opens_the_hosted_journey(app: TestApp) {
        let company = company(&app).await;

        let issued = json_of(invite(&app, &company, json!({"categories": ["banking"]})).await, StatusCode::CREATED).await;

        let share = issued["shareUrl"].as_str().unwrap();
        assert!(share.starts_with(&format!("http://link.test/link/company/{company}?invitation=")), "{share}");
    }

    async fn only_genuine_invitation_tokens_open_an_invitation(app: TestApp) {
        let company = company(&app).await;
        let issued = json_of(invite(&app, &company, json!({"categories": ["banking"], "journeyUrl": "https://app.example/go"})).await, StatusCode::CREATED).await;
        let share = issued["shareUrl"].as_str().unwrap();
        let token = share.strip_prefix("https://app.example/go?invitation=").unwrap();
        let company_token = app.company_token(&company).await;

        for bad in ["", "garbage", "a.b.c", company_token.as_str(), &format!("{token}x")] {
            error_of(exchange(&app, bad).await, StatusCode::UNAUTHORIZED).await;
        }
        error_of(app.with_key(token).get(&format!("/companies/{company}/linkStatus")).await, StatusCode::UNAUTHORIZED).await;
        let not_json = app.anonymous(Method::POST, "/invitations/exchange").body("token").header("content-type", "application/json").send().await.unwrap();
        error_of(not_json, StatusCode::BAD_REQUEST).await;
        assert_eq!(statuses(&app, &company).await, ["pending"], "nothing opened it");
    }

    async fn a_browser_opens_an_invitation_only_from_an_allowed_origin(app: TestApp) {
        let company = company(&app).await;
        json_of(app.post("/corsSettings", &json!({"allowedOrigins": ["https://app.example"]})).await, StatusCode::OK).await;
        let issued = json_of(invite(&app, &company, json!({"categories": ["banking"], "journeyUrl": JOURNEY})).await, StatusCode::CREATED).await;
        let from = |origin: &str| app.anonymous(Method::POST, "/invitations/exchange").header("origin", origin).json(&json!({"token": token_of(&issued)})).send();

        let refused = from("https://evil.example").await.unwrap();
        let allowed = from("https://app.example").await.unwrap();

        error_of(refused, StatusCode::FORBIDDEN).await;
        assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example");
        json_of(allowed, StatusCode::OK).await;
    }
}
