//! Reminders Link API emails itself: to the company's reminder address,
//! through a real SMTP exchange with a server the test starts on loopback,
//! with a link that stops them.

use super::reminders::{reminders, set_reminders};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::receiver::ManualClock;
use tests::smtp::{decoded, Received, SmtpServer};
use tests::{error_of, invalid_items, json_of, local, on_both_stores, spawn, TestApp, PUBLIC};

const DAY: i64 = 24 * 3600;

/// The address a message's `List-Unsubscribe` header gives.
fn stop_link(message: &Received) -> String {
    let header = message
        .data
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .unwrap_or_else(|| panic!("no List-Unsubscribe: {}", message.data));
    header.trim_end_matches('>').to_owned()
}

/// A company whose reminders go to `address`, on a client that has them emailed.
async fn reminded_company(app: &TestApp, name: &str, address: &str) -> String {
    let company = app.new_company(name).await;
    json_of(
        set_reminders(app, &company, json!({"enabled": true, "email": address})).await,
        StatusCode::OK,
    )
    .await;
    company
}

on_both_stores! {
    async fn a_reminder_is_emailed_to_the_companys_address_with_a_link_that_stops_them(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        json_of(app.send_json(Method::PUT, "/profile", &json!({"name": "Acme Lending", "redirectUrl": "", "logoUrl": "https://acme.example/logo.png"})).await, StatusCode::OK).await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"reminders": {"sendEmails": true, "includeOptional": true}})).await, StatusCode::OK).await;
        let company = reminded_company(&app, "Northwind", "owner@northwind.example").await;
        let silent = app.new_company("Contoso").await;
        let clock = ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;

        clock.advance(2 * DAY + 60);
        dispatcher.remind().await.unwrap();
        let before_sending = smtp.received().len();
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();

        assert_eq!(before_sending, 0, "the round only writes the outbox");
        let received = smtp.received();
        assert_eq!(received.len(), 1, "the company without an address gets the event alone");
        assert_eq!(received[0].to, vec!["owner@northwind.example".to_owned()]);
        let data = &received[0].data;
        assert!(data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{data}");
        assert!(data.contains("Subject: One step left to connect your business to Acme Lending"), "{data}");
        let text = decoded(data);
        assert!(text.contains(&format!("{PUBLIC}/link/company/{company}")), "the journey's address: {text}");
        assert!(text.contains("Still to connect: accounting, banking (optional), commerce (optional)."), "{text}");
        assert!(text.contains("https://acme.example/logo.png") && text.contains("Pick up where you left off"));
        let shown = reminders(&app, &company).await;
        assert_eq!(shown["email"], "owner@northwind.example");
        assert_eq!(shown["history"][0]["email"]["status"], "Sent", "{shown}");
        assert!(shown["history"][0]["email"]["lastAnswer"].as_str().unwrap().starts_with("250"));
        let other = reminders(&app, &silent).await;
        assert_eq!(other["history"].as_array().unwrap().len(), 1, "{other}");
        assert!(other["history"][0].get("email").is_none(), "{other}");

        let stop = local(&stop_link(&received[0]));
        let asked = app.anonymous(Method::GET, &stop).send().await.unwrap();
        let still_on = reminders(&app, &company).await["enabled"].clone();
        let tampered = app.anonymous(Method::POST, &stop.replace("token=", "token=x")).send().await.unwrap();
        let other_company = app.anonymous(Method::POST, &stop.replace(&company, &silent)).send().await.unwrap();
        let one_click = app.anonymous(Method::POST, &stop)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click").send().await.unwrap();

        assert_eq!(asked.status(), StatusCode::OK);
        let page = asked.text().await.unwrap();
        assert!(page.contains("Stop reminders from Acme Lending?") && page.contains("<form method=\"post\""), "{page}");
        assert_eq!(still_on, true, "opening the link changes nothing");
        assert_eq!(tampered.status(), StatusCode::NOT_FOUND);
        assert_eq!(other_company.status(), StatusCode::NOT_FOUND, "a link names its own company");
        assert_eq!(reminders(&app, &silent).await["enabled"], true);
        assert_eq!(one_click.status(), StatusCode::OK);
        assert!(one_click.text().await.unwrap().contains("Reminders stopped"));
        let stopped = reminders(&app, &company).await;
        assert_eq!(stopped["enabled"], false);
        assert!(stopped.get("nextDueDate").is_none(), "{stopped}");
    }

    async fn a_reminder_email_carries_a_one_time_link_where_signed_links_are_required(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"reminders": {"sendEmails": true},
            "hostedJourney": {"requireSignedLinks": true, "defaultLocale": "fr"}})).await, StatusCode::OK).await;
        let company = reminded_company(&app, "Northwind", "owner@northwind.example").await;
        let clock = ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;

        clock.advance(2 * DAY + 60);
        dispatcher.remind().await.unwrap();
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();

        let received = smtp.received();
        assert_eq!(received.len(), 1);
        let text = decoded(&received[0].data);
        assert!(text.contains("Il reste à connecter") || text.contains("Reprendre"), "in French: {text}");
        let prefix = format!("{PUBLIC}/link/company/{company}?link=");
        let at = text.find(&prefix).unwrap_or_else(|| panic!("a signed link: {text}"));
        let link: String = text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || ":/.?=-_".contains(*c)).collect();
        let scanned = app.anonymous(Method::GET, &local(&link)).send().await.unwrap();
        let opened = app.anonymous(Method::POST, &format!("/link/company/{company}/session"))
            .json(&json!({"link": link.split("link=").nth(1).unwrap()})).send().await.unwrap();
        assert_eq!(scanned.status(), StatusCode::OK, "a mail scanner's look shows the page");
        assert_eq!(opened.status(), StatusCode::OK, "and leaves the link for the customer's own opening");
        let stop_page = app.anonymous(Method::GET, &local(&stop_link(&received[0]))).send().await.unwrap().text().await.unwrap();
        assert!(stop_page.contains("lang=\"fr\"") && stop_page.contains("Arrêter les rappels"), "the stop page speaks French: {stop_page}");
        let event = &json_of(app.get(&format!("/events?eventType=journey.reminder&companyId={company}")).await, StatusCode::OK).await["results"][0];
        assert!(event["payload"]["reminder"].get("journeyUrl").is_none(), "the one-time link is the email's alone: {event}");
    }

    async fn a_reminder_email_waits_while_the_server_is_down_and_goes_once_it_is_back(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"reminders": {"sendEmails": true}})).await, StatusCode::OK).await;
        let company = reminded_company(&app, "Northwind", "owner@northwind.example").await;
        let clock = ManualClock::new();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let down = app.mail_dispatcher(clock.clone(), &format!("smtp://127.0.0.1:{closed}")).await;
        let back = app.mail_dispatcher(clock.clone(), &smtp.url()).await;

        clock.advance(2 * DAY + 60);
        down.remind().await.unwrap();
        clock.advance(1);
        down.send_emails().await.unwrap();
        let waiting = reminders(&app, &company).await["history"][0]["email"].clone();
        let too_soon = back.send_emails().await.unwrap();
        clock.advance(61);
        back.send_emails().await.unwrap();
        let sent = reminders(&app, &company).await["history"][0]["email"].clone();

        assert_eq!((waiting["status"].clone(), waiting["attempts"].clone()), (json!("Pending"), json!(1)), "{waiting}");
        assert!(waiting["nextAttemptDate"].is_string() && waiting["lastAnswer"].is_string(), "{waiting}");
        assert_eq!(too_soon, 0, "the next attempt waits a minute");
        assert_eq!((sent["status"].clone(), sent["attempts"].clone()), (json!("Sent"), json!(2)), "{sent}");
        assert_eq!(smtp.received().len(), 1);
    }

    async fn a_reminder_address_is_one_address_and_emailing_needs_a_server(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        let without = spawn(backend).await;
        let company = reminded_company(&app, "Northwind", "owner@northwind.example").await;

        let not_configured = error_of(without.send_json(Method::PUT, "/linkSettings", &json!({"reminders": {"sendEmails": true}})).await, StatusCode::BAD_REQUEST).await;
        let two = error_of(set_reminders(&app, &company, json!({"enabled": true, "email": "a@example.com, b@example.com"})).await, StatusCode::BAD_REQUEST).await;
        let named = error_of(set_reminders(&app, &company, json!({"enabled": true, "email": "Eve <eve@example.com>"})).await, StatusCode::BAD_REQUEST).await;
        let injected = error_of(set_reminders(&app, &company, json!({"enabled": true, "email": "owner@example.com\r\nBcc: eve@example.com"})).await, StatusCode::BAD_REQUEST).await;
        let not_text = error_of(set_reminders(&app, &company, json!({"enabled": true, "email": 42})).await, StatusCode::BAD_REQUEST).await;
        let kept = json_of(set_reminders(&app, &company, json!({"enabled": false})).await, StatusCode::OK).await;
        let removed = json_of(set_reminders(&app, &company, json!({"enabled": true, "email": null})).await, StatusCode::OK).await;
        let invited = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"]})).await, StatusCode::CREATED).await;
        let invitation_token = invited["shareUrl"].as_str().unwrap().split("invitation=").nth(1).unwrap().to_owned();
        let exchanged = json_of(app.anonymous(Method::POST, "/invitations/exchange").json(&json!({"token": invitation_token})).send().await.unwrap(), StatusCode::OK).await;
        let colleague = app.with_key(exchanged["accessToken"].as_str().unwrap());
        let by_colleague = error_of(set_reminders(&colleague, &company, json!({"enabled": true, "email": "eve@example.com"})).await, StatusCode::FORBIDDEN).await;
        let customer = app.with_key(&app.company_token(&company).await);
        let by_customer = json_of(set_reminders(&customer, &company, json!({"enabled": true, "email": "owner@northwind.example"})).await, StatusCode::OK).await;
        let unknown = error_of(set_reminders(&app, "9b2f43f6-35c5-4d35-a0a4-11b3c1c0f8b7", json!({"enabled": true, "email": "a@example.com"})).await, StatusCode::NOT_FOUND).await;

        assert_eq!(invalid_items(&not_configured), ["reminders.sendEmails"]);
        assert_eq!(invalid_items(&two), ["email"]);
        assert_eq!(invalid_items(&named), ["email"]);
        assert_eq!(invalid_items(&injected), ["email"]);
        assert!(not_text["error"].as_str().unwrap().contains("email"), "{not_text}");
        assert_eq!((kept["enabled"].clone(), kept["email"].clone()), (json!(false), json!("owner@northwind.example")), "left out, the address stays");
        assert!(removed.get("email").is_none(), "null removes it: {removed}");
        assert_eq!(unknown["statusCode"], 404);
        assert!(by_colleague["error"].as_str().unwrap().contains("invitation"), "{by_colleague}");
        assert_eq!(by_customer["email"], "owner@northwind.example", "the customer gives it with the company token");
    }

    async fn a_stop_link_without_its_signature_is_not_valid(backend: Backend) {
        let app = spawn(backend).await;
        let company = app.new_company("Northwind").await;

        let no_token = app.anonymous(Method::GET, &format!("/link/company/{company}/reminders/stop")).send().await.unwrap();
        let made_up = app.anonymous(Method::POST, &format!("/link/company/{company}/reminders/stop?token=AAAA")).send().await.unwrap();
        let not_an_id = app.anonymous(Method::GET, "/link/company/not-an-id/reminders/stop?token=AAAA").send().await.unwrap();
        let cipher = link_api::crypto::cipher_from_settings(&tests::settings(&app.database.url)).unwrap();
        let company_id = company.parse::<uuid::Uuid>().unwrap().into();
        let link_of = |days_ago: i64| {
            let made = chrono::Utc::now() - chrono::Duration::days(days_ago);
            local(&app::reminder_emails::stop_url(PUBLIC, &cipher, company_id, "en", made))
        };
        let expired = app.anonymous(Method::POST, &link_of(app::reminder_emails::STOP_LINK_DAYS + 1)).send().await.unwrap();
        let recent = app.anonymous(Method::GET, &link_of(app::reminder_emails::STOP_LINK_DAYS - 1)).send().await.unwrap();
        let stretched = link_of(1).replace("token=", "token=9");

        assert_eq!(expired.status(), StatusCode::NOT_FOUND, "a stop link works for a while, not for ever");
        assert_eq!(recent.status(), StatusCode::OK);
        assert_eq!(app.anonymous(Method::GET, &stretched).send().await.unwrap().status(), StatusCode::NOT_FOUND, "its expiry is signed");
        assert_eq!(no_token.status(), StatusCode::NOT_FOUND);
        assert!(no_token.text().await.unwrap().contains("This link is not valid"));
        assert_eq!(made_up.status(), StatusCode::NOT_FOUND);
        assert_eq!(not_an_id.status(), StatusCode::BAD_REQUEST);
        assert_eq!(reminders(&app, &company).await["enabled"], true, "nothing changed");
    }
}
