//! What each kind of company token opens: the bare company id's (the hosted
//! page opened by its URL, or the component's token endpoint) starts and
//! continues the journey only; a signed link's, the client's back end's and
//! an invitation's prove who holds them and open the customer's data.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::smtp::SmtpServer;
use tests::{error_of, invalid_items, json_of, local, on_both_stores, spawn_with, TestApp, PUBLIC};

fn meta(page: &str, name: &str) -> String {
    let marker = format!("<meta name=\"{name}\" content=\"");
    let start = page.find(&marker).unwrap() + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// The token `POST /link/company/{id}/token` gives anyone who knows the id.
async fn bare_token(app: &TestApp, company: &str) -> String {
    let answer = app
        .anonymous(Method::POST, &format!("/link/company/{company}/token"))
        .send()
        .await
        .unwrap();
    json_of(answer, StatusCode::OK).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The hosted page at `url`: its token and what it says the token opens.
async fn page_token(app: &TestApp, url: &str) -> (String, String) {
    let page = app
        .anonymous(Method::GET, &local(url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    (
        meta(&page, "link-api-token"),
        meta(&page, "link-api-access"),
    )
}

async fn signed_link(app: &TestApp, company: &str) -> Value {
    json_of(
        app.post(&format!("/companies/{company}/links"), &json!({}))
            .await,
        StatusCode::CREATED,
    )
    .await
}

/// The statuses of the operations that need proof of the customer, called with `token`.
async fn customer_operations(app: &TestApp, token: &str, company: &str) -> Vec<StatusCode> {
    let holder = app.with_key(token);
    let consent_id = "0198f3c2-7b10-7c55-8c8e-2a8c5b1e4f20";
    let connection_id = "0198f3c2-7b10-7c55-8c8e-2a8c5b1e4f21";
    let base = format!("/companies/{company}");
    let mut statuses = Vec::new();
    for (method, path, body) in [
        (Method::GET, format!("{base}/consents"), None),
        (
            Method::POST,
            format!("{base}/consents/{consent_id}/withdraw"),
            Some(json!({})),
        ),
        (Method::GET, format!("{base}/reminders"), None),
        (
            Method::PUT,
            format!("{base}/reminders"),
            Some(json!({"enabled": false})),
        ),
        (Method::GET, format!("{base}/invitations"), None),
        (
            Method::DELETE,
            format!("{base}/invitations/{consent_id}"),
            None,
        ),
        (
            Method::PATCH,
            format!("{base}/connections/{connection_id}"),
            Some(json!({"status": "Unlinked"})),
        ),
    ] {
        let mut request = holder.request(method, &path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        statuses.push(request.send().await.unwrap().status());
    }
    statuses
}

on_both_stores! {
    async fn a_bare_company_id_continues_the_journey_but_opens_nothing_of_the_customers(app: TestApp) {
        let company = app.new_company("Northwind").await;
        app.consent(&company, &["banking"]).await;
        json_of(app.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": true, "email": "owner@northwind.example"})).await, StatusCode::OK).await;
        let from_endpoint = bare_token(&app, &company).await;
        let (from_page, access) = page_token(&app, &format!("{PUBLIC}/link/company/{company}")).await;
        let stranger = app.with_key(&from_endpoint);

        let status = json_of(stranger.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        let consented = stranger.post(&format!("/companies/{company}/consents"), &json!({"categories": ["accounting"]})).await;
        let connected = stranger.post(&format!("/companies/{company}/connections"), &json!({"platformKey": "mqjo"})).await;
        let refused_endpoint = customer_operations(&app, &from_endpoint, &company).await;
        let refused_page = customer_operations(&app, &from_page, &company).await;
        let ledger = error_of(stranger.get(&format!("/companies/{company}/consents")).await, StatusCode::FORBIDDEN).await;

        assert_eq!(access, "journey", "the page says its token proves nothing");
        assert!(status["reminders"].get("email").is_none(), "where reminders go is not shown: {status}");
        assert_eq!(status["reminders"]["enabled"], true);
        assert_eq!(consented.status(), StatusCode::CREATED, "consenting is part of the journey");
        assert_eq!(connected.status(), StatusCode::OK, "so is linking");
        assert_eq!(refused_endpoint, [StatusCode::FORBIDDEN; 7]);
        assert_eq!(refused_page, [StatusCode::FORBIDDEN; 7]);
        let message = ledger["error"].as_str().unwrap();
        assert!(message.contains("signed link") && message.contains("accessToken"), "the refusal says what would do: {message}");
        let owner = app.with_key(&app.company_token(&company).await);
        let ledger = json_of(owner.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        assert_eq!(ledger["results"].as_array().unwrap().len(), 2, "the client's back end's token reads the ledger");
    }

    async fn a_signed_links_page_opens_the_customers_data_until_the_link_is_revoked(app: TestApp) {
        let company = app.new_company("Northwind").await;
        let link = signed_link(&app, &company).await;

        let url = link["url"].as_str().unwrap();
        let (before_opening, access_before) = page_token(&app, url).await;
        let opened = app.anonymous(Method::POST, &format!("/link/company/{company}/session"))
            .json(&json!({"link": url.split("link=").nth(1).unwrap()})).send().await.unwrap();
        let token = json_of(opened, StatusCode::OK).await["accessToken"].as_str().unwrap().to_owned();
        let customer = app.with_key(&token);
        let ledger = customer.get(&format!("/companies/{company}/consents")).await;
        let reminders = customer.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": true, "email": "owner@northwind.example"})).await;
        let revoked = app.delete(&format!("/companies/{company}/links/{}", link["id"].as_str().unwrap())).await;
        let after = customer.get(&format!("/companies/{company}/linkStatus")).await;

        assert_eq!((before_opening.as_str(), access_before.as_str()), ("", "link"), "the page opens the link itself");
        assert_eq!(ledger.status(), StatusCode::OK);
        assert_eq!(json_of(reminders, StatusCode::OK).await["email"], "owner@northwind.example");
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let refused = error_of(after, StatusCode::UNAUTHORIZED).await;
        assert_eq!(refused["statusCode"], 401, "revoking the link ends the page's token at once");
    }

    async fn an_invitee_sees_and_does_only_what_its_categories_cover(app: TestApp) {
        let company = app.new_company("Northwind").await;
        app.post(&format!("/companies/{company}/consents"), &json!({"categories": ["accounting"], "actor": {"name": "Margaret Hamilton", "email": "margaret@example.com"}})).await;
        app.consent(&company, &["banking"]).await;
        json_of(app.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": true, "email": "owner@northwind.example"})).await, StatusCode::OK).await;
        let invited = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"]})).await, StatusCode::CREATED).await;
        let share = invited["shareUrl"].as_str().unwrap().split("invitation=").nth(1).unwrap().to_owned();
        let exchanged = json_of(app.anonymous(Method::POST, "/invitations/exchange").json(&json!({"token": share})).send().await.unwrap(), StatusCode::OK).await;
        let colleague = app.with_key(exchanged["accessToken"].as_str().unwrap());

        let ledger = json_of(colleague.get(&format!("/companies/{company}/consents")).await, StatusCode::OK).await;
        let status = json_of(colleague.get(&format!("/companies/{company}/linkStatus")).await, StatusCode::OK).await;
        let reminders = colleague.get(&format!("/companies/{company}/reminders")).await;
        let stop = colleague.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": false})).await;

        let categories: Vec<&Value> = ledger["results"].as_array().unwrap().iter().map(|r| &r["categories"]).collect();
        assert_eq!(categories, [&json!(["banking"])], "only the banking record: {ledger}");
        assert!(!ledger.to_string().contains("margaret@example.com"), "the owner's accounting consent is not the invitee's to read");
        assert!(status["reminders"].get("email").is_none(), "{status}");
        assert_eq!(reminders.status(), StatusCode::FORBIDDEN);
        assert_eq!(stop.status(), StatusCode::FORBIDDEN, "turning the company's reminders off is not the invitee's");
        let still = json_of(app.get(&format!("/companies/{company}/reminders")).await, StatusCode::OK).await;
        assert_eq!(still["enabled"], true);
    }

    async fn the_journey_cannot_choose_where_an_invitation_points(app: TestApp) {
        let company = app.new_company("Northwind").await;
        json_of(app.post("/corsSettings", &json!({"allowedOrigins": ["https://app.acme.example"]})).await, StatusCode::OK).await;
        let stranger = app.with_key(&bare_token(&app, &company).await);
        let invite = |url: &str| {
            stranger.request(Method::POST, &format!("/companies/{company}/invitations"))
                .json(&json!({"categories": ["banking"], "journeyUrl": url}))
                .send()
        };

        let elsewhere = error_of(invite("https://evil.example/login?x={token}").await.unwrap(), StatusCode::BAD_REQUEST).await;
        let lookalike = error_of(invite("https://app.acme.example.evil.example/{token}").await.unwrap(), StatusCode::BAD_REQUEST).await;
        let allowed = json_of(invite("https://app.acme.example/invited?t={token}").await.unwrap(), StatusCode::CREATED).await;
        let by_back_end = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"], "journeyUrl": "https://partner.example/{token}"})).await, StatusCode::CREATED).await;

        assert_eq!(invalid_items(&elsewhere), ["journeyUrl"]);
        assert!(elsewhere["error"].as_str().unwrap().contains("CORS"), "{elsewhere}");
        assert_eq!(invalid_items(&lookalike), ["journeyUrl"]);
        assert!(allowed["shareUrl"].as_str().unwrap().starts_with("https://app.acme.example/invited?t="));
        assert!(by_back_end["shareUrl"].as_str().unwrap().starts_with("https://partner.example/"), "the API key chooses freely");
    }

}

on_both_stores! {
    async fn a_stranger_with_the_company_id_cannot_use_up_the_customers_rate_budget(backend: Backend) {
        let app = spawn_with(backend, &["--rate-limit-per-minute", "60", "--rate-limit-burst", "3", "--trusted-proxies", "127.0.0.0/8"]).await;
        let company = app.new_company("Northwind").await;
        let bare = bare_token(&app, &company).await;
        let customer_token = app.company_token(&company).await;
        let from = |token: &str, address: &'static str| {
            app.anonymous(Method::GET, &format!("/companies/{company}/linkStatus"))
                .bearer_auth(token.to_owned())
                .header("x-forwarded-for", address)
                .send()
        };

        let mut stranger = Vec::new();
        for _ in 0..4 {
            stranger.push(from(&bare, "203.0.113.9").await.unwrap().status());
        }
        let same_id_elsewhere = from(&bare, "198.51.100.7").await.unwrap().status();
        let customer = from(&customer_token, "203.0.113.9").await.unwrap().status();

        assert_eq!(stranger, [StatusCode::OK, StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
        assert_eq!(same_id_elsewhere, StatusCode::OK, "each address has its own bucket for the bare id");
        assert_eq!(customer, StatusCode::OK, "the customer's own budget is untouched");
    }

    async fn the_journey_has_invitations_emailed_only_when_the_client_opted_in_and_within_a_cap(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        json_of(app.send_json(Method::PUT, "/profile", &json!({"name": "Bolt Finance", "redirectUrl": ""})).await, StatusCode::OK).await;
        let company = app.new_company("Northwind").await;
        let stranger = app.with_key(&bare_token(&app, &company).await);
        let invite = |n: usize| {
            stranger.request(Method::POST, &format!("/companies/{company}/invitations"))
                .json(&json!({"categories": ["banking"], "send": true, "recipient": {"email": format!("colleague{n}@example.com")}}))
                .send()
        };

        let not_opted_in = error_of(invite(0).await.unwrap(), StatusCode::FORBIDDEN).await;
        let not_opted_in_rows = app.count("SELECT COUNT(*) FROM emails").await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"emailInvitations": true})).await, StatusCode::OK).await;
        let mut statuses = Vec::new();
        for n in 1..=11 {
            statuses.push(invite(n).await.unwrap().status());
        }
        let capped = error_of(invite(12).await.unwrap(), StatusCode::TOO_MANY_REQUESTS).await;
        let by_back_end = app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"], "send": true,
            "recipient": {"email": "accountant@example.com"}})).await;
        let clock = tests::receiver::ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();

        assert!(not_opted_in["error"].as_str().unwrap().contains("emailInvitations"), "{not_opted_in}");
        assert_eq!(not_opted_in_rows, 0, "nothing was written for the refused request");
        assert_eq!(&statuses[..10], [StatusCode::CREATED; 10]);
        assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS, "the eleventh in a day is refused");
        assert!(capped["error"].as_str().unwrap().contains("this company"), "{capped}");
        assert_eq!(by_back_end.status(), StatusCode::CREATED, "the client's back end is not capped");
        assert_eq!(app.count("SELECT COUNT(*) FROM emails").await, 11);
        assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 11, "a refused invitation is not kept without its email");
        let received = smtp.received();
        assert_eq!(received.len(), 11);
        assert!(received.iter().all(|m| m.data.contains("From: \"Bolt Finance\" <connect@acme.example>")), "the client's own name, the operator's address: {}", received[0].data);
    }

}

on_both_stores! {
    async fn a_client_configures_only_what_may_reach_a_page_or_an_email(app: TestApp) {
        let put = |body: Value| app.request(Method::PUT, "/profile").json(&body).send();

        let directive = error_of(put(json!({"name": "Acme", "redirectUrl": "", "logoUrl": "https://x;report-uri/l.png", "iconUrl": "https://x;sandbox"})).await.unwrap(), StatusCode::BAD_REQUEST).await;
        let user = error_of(put(json!({"name": "Acme", "redirectUrl": "", "logoUrl": "https://user@cdn.example/l.png"})).await.unwrap(), StatusCode::BAD_REQUEST).await;
        let mut names = Vec::new();
        for name in ["Acme\0", "Acme\u{1b}[31m", "Acme\u{7}", "Acme\u{7f}", "Acme\r\nBcc: eve@example.com"] {
            names.push(invalid_items(&error_of(put(json!({"name": name, "redirectUrl": ""})).await.unwrap(), StatusCode::BAD_REQUEST).await));
        }
        let kept = json_of(app.get("/profile").await, StatusCode::OK).await;
        let company = app.new_company("Northwind").await;
        let literal = error_of(app.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": true, "email": "a@[127.0.0.1]"})).await, StatusCode::BAD_REQUEST).await;
        let quoted = error_of(app.send_json(Method::PUT, &format!("/companies/{company}/reminders"), &json!({"enabled": true, "email": "\"x\\\"y\"@b.example"})).await, StatusCode::BAD_REQUEST).await;
        let invitee = error_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"], "recipient": {"email": "a@[127.0.0.1]"}})).await, StatusCode::BAD_REQUEST).await;

        json_of(put(json!({"name": "Acme", "redirectUrl": "", "logoUrl": "https://cdn.acme.example/l.png"})).await.unwrap(), StatusCode::OK).await;
        app.execute_sql("UPDATE profiles SET icon_url = 'https://x;report-uri/l.png'").await;
        let page = app.anonymous(Method::GET, &format!("/link/company/{company}")).send().await.unwrap();
        let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();

        assert_eq!(invalid_items(&directive), ["logoUrl", "iconUrl"]);
        assert!(policy.contains("img-src 'self' data: https://cdn.acme.example;") && !policy.contains("report-uri"),
            "an address stored before the rule still adds nothing but an origin: {policy}");
        assert_eq!(invalid_items(&user), ["logoUrl"]);
        assert!(names.iter().all(|fields| fields == &["name"]), "{names:?}");
        assert_ne!(kept["name"], "Acme\0", "nothing was stored");
        assert_eq!(invalid_items(&literal), ["email"]);
        assert_eq!(invalid_items(&invitee), ["recipient.email"], "one address rule for every address");
        assert_eq!(invalid_items(&quoted), ["email"]);
    }
}

on_both_stores! {
    async fn the_company_name_is_told_only_to_who_proves_the_customer(app: TestApp) {
        let company = app.new_company("Named Nuts").await;
        let path = format!("/companies/{company}/linkStatus");

        let by_key = json_of(app.get(&path).await, StatusCode::OK).await;
        let bare = bare_token(&app, &company).await;
        let by_bare_id = json_of(app.with_key(&bare).get(&path).await, StatusCode::OK).await;

        assert_eq!(by_key["companyName"], "Named Nuts");
        assert!(by_bare_id.get("companyName").is_none(), "a bare company id learns no name: {by_bare_id}");
    }
}
