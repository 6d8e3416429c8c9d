//! Invitations sent by email through a real SMTP exchange with a server the
//! test starts on loopback; the outbox is sent by a dispatcher the test owns.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tests::receiver::ManualClock;
use tests::smtp::{decoded, SmtpServer};
use tests::{error_of, invalid_items, json_of, on_both_stores, spawn, TestApp};

async fn invite(app: &TestApp, company: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/companies/{company}/invitations"), &body)
        .await
}

async fn invitations(app: &TestApp, company: &str) -> Vec<Value> {
    json_of(
        app.get(&format!("/companies/{company}/invitations")).await,
        StatusCode::OK,
    )
    .await["results"]
        .as_array()
        .unwrap()
        .clone()
}

on_both_stores! {
    async fn an_invitation_is_emailed_in_the_customers_language_with_its_link(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        json_of(app.send_json(reqwest::Method::PUT, "/profile", &json!({"name": "Acme Lending", "redirectUrl": "", "logoUrl": "https://acme.example/logo.png"})).await, StatusCode::OK).await;
        let company = app.new_company("Northwind").await;
        let clock = ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;

        let created = json_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "locale": "fr",
            "recipient": {"name": "Grace Hopper", "email": "grace@example.com"}, "message": "Peux-tu connecter la banque ?"})).await, StatusCode::CREATED).await;
        let pending = smtp.received().len();
        clock.advance(1);
        let attempted = dispatcher.send_emails().await.unwrap();

        assert_eq!((created["email"]["status"].clone(), created["email"]["attempts"].clone()), (json!("Pending"), json!(0)));
        assert_eq!(pending, 0, "the request does not wait for the email");
        assert_eq!(attempted, 1);
        let received = smtp.received();
        assert_eq!(received.len(), 1);
        assert_eq!((received[0].from.as_str(), received[0].to.clone()), ("connect@acme.example", vec!["grace@example.com".to_owned()]));
        let data = &received[0].data;
        let share = created["shareUrl"].as_str().unwrap();
        assert!(data.contains("To: \"Grace Hopper\" <grace@example.com>"), "{data}");
        assert!(data.contains("From: \"Acme Lending\" <connect@acme.example>"), "{data}");
        assert!(data.contains("multipart/alternative") && data.contains("text/html"), "{data}");
        let decoded = decoded(data);
        assert!(decoded.contains(share), "the share link is in the message: {decoded}");
        assert!(decoded.contains("vous invite") || decoded.contains("Commencer"), "in French: {decoded}");
        assert!(decoded.contains("Peux-tu connecter la banque"));
        assert!(decoded.contains("https://acme.example/logo.png"));
        let listed = invitations(&app, &company).await;
        assert_eq!(listed[0]["email"]["status"], "Sent");
        assert_eq!(listed[0]["email"]["attempts"], 1);
        assert!(listed[0]["email"]["lastAnswer"].as_str().unwrap().starts_with("250"), "{}", listed[0]["email"]);
        assert!(listed[0]["email"]["sentDate"].is_string());
        assert_eq!(app.count("SELECT COUNT(*) FROM emails WHERE message IS NOT NULL").await, 0, "the message with its link is not kept once sent");
    }

    async fn an_invitation_in_arabic_reads_right_to_left(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        let company = app.new_company("Northwind").await;
        let clock = ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;

        json_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "locale": "ar-EG",
            "recipient": {"name": "Layla", "email": "layla@example.com"}})).await, StatusCode::CREATED).await;
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();

        let decoded = decoded(&smtp.received()[0].data);
        assert!(decoded.contains("<html lang=\"ar-EG\" dir=\"rtl\">"), "{decoded}");
        assert!(!decoded.contains("Hello Layla") && !decoded.contains("Get started"), "not in English: {decoded}");
    }

    async fn a_refused_recipient_fails_and_a_busy_server_is_tried_again(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        let company = app.new_company("Northwind").await;
        let clock = ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;
        smtp.refuse("nobody@example.com");

        json_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "recipient": {"email": "nobody@example.com"}})).await, StatusCode::CREATED).await;
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();
        let refused = invitations(&app, &company).await[0]["email"].clone();
        smtp.set_busy(true);
        json_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "recipient": {"email": "grace@example.com"}})).await, StatusCode::CREATED).await;
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();
        let busy = invitations(&app, &company).await[0]["email"].clone();
        let too_soon = dispatcher.send_emails().await.unwrap();
        smtp.set_busy(false);
        clock.advance(61);
        dispatcher.send_emails().await.unwrap();
        let after = invitations(&app, &company).await[0]["email"].clone();

        assert_eq!(refused["status"], "Failed", "{refused}");
        assert!(refused["lastAnswer"].as_str().unwrap().contains("550"), "{refused}");
        assert_eq!((busy["status"].clone(), busy["attempts"].clone()), (json!("Pending"), json!(1)));
        assert!(busy["lastAnswer"].as_str().unwrap().contains("421"), "{busy}");
        assert!(busy["nextAttemptDate"].is_string());
        assert_eq!(too_soon, 0, "the retry waits a minute");
        assert_eq!((after["status"].clone(), after["attempts"].clone()), (json!("Sent"), json!(2)));
        assert_eq!(smtp.received().len(), 1);
        assert_eq!(smtp.received()[0].to, vec!["grace@example.com".to_owned()]);
    }

    async fn the_clients_default_emails_each_invitation_that_has_an_address(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        let without = spawn(backend).await;
        let company = app.new_company("Northwind").await;
        let clock = ManualClock::new();
        let dispatcher = app.mail_dispatcher(clock.clone(), &smtp.url()).await;
        let default_on = json!({"emailInvitations": true});

        let refused = error_of(without.send_json(reqwest::Method::PUT, "/linkSettings", &default_on).await, StatusCode::BAD_REQUEST).await;
        let settings = json_of(app.send_json(reqwest::Method::PUT, "/linkSettings", &default_on).await, StatusCode::OK).await;
        let emailed = json_of(invite(&app, &company, json!({"categories": ["banking"], "recipient": {"email": "grace@example.com"}})).await, StatusCode::CREATED).await;
        let no_address = json_of(invite(&app, &company, json!({"categories": ["banking"], "recipient": {"name": "Grace"}})).await, StatusCode::CREATED).await;
        let opted_out = json_of(invite(&app, &company, json!({"categories": ["banking"], "send": false, "recipient": {"email": "alan@example.com"}})).await, StatusCode::CREATED).await;
        clock.advance(1);
        dispatcher.send_emails().await.unwrap();

        assert_eq!(invalid_items(&refused), ["emailInvitations"]);
        assert_eq!(settings["emailInvitations"], true);
        assert_eq!(emailed["email"]["status"], "Pending", "{emailed}");
        assert!(no_address.get("email").is_none(), "no address, no email: {no_address}");
        assert!(opted_out.get("email").is_none(), "the request says no: {opted_out}");
        let received = smtp.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].to, vec!["grace@example.com".to_owned()]);
    }

    async fn sending_needs_a_server_one_address_and_a_name_on_one_line(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        let without = spawn(backend).await;
        let company = app.new_company("Northwind").await;
        let elsewhere = without.new_company("Northwind").await;

        let not_configured = error_of(invite(&without, &elsewhere, json!({"categories": ["banking"], "send": true, "recipient": {"email": "grace@example.com"}})).await, StatusCode::BAD_REQUEST).await;
        let no_address = error_of(invite(&app, &company, json!({"categories": ["banking"], "send": true})).await, StatusCode::BAD_REQUEST).await;
        let two = error_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "recipient": {"email": "grace@example.com,eve@example.com"}})).await, StatusCode::BAD_REQUEST).await;
        let injected = error_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "locale": "fr\r\nBcc: x",
            "recipient": {"name": "Grace\r\nBcc: eve@example.com", "email": "grace@example.com"}})).await, StatusCode::BAD_REQUEST).await;
        let long = error_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "message": "x".repeat(1001), "recipient": {"email": "grace@example.com"}})).await, StatusCode::BAD_REQUEST).await;
        let not_a_flag = error_of(invite(&app, &company, json!({"categories": ["banking"], "send": "yes"})).await, StatusCode::BAD_REQUEST).await;

        assert_eq!(invalid_items(&not_configured), ["send"]);
        assert!(not_configured["validation"]["errors"][0]["message"].as_str().unwrap().contains("LINK_SMTP_URL"));
        assert_eq!(invalid_items(&no_address), ["recipient.email"]);
        assert_eq!(invalid_items(&two), ["recipient.email"]);
        assert_eq!(invalid_items(&injected), ["recipient.name", "locale"]);
        assert_eq!(invalid_items(&long), ["message"]);
        assert!(not_a_flag["error"].as_str().unwrap().contains("`send`"), "{not_a_flag}");
        assert!(invitations(&app, &company).await.is_empty(), "nothing was made");
        assert_eq!(app.count("SELECT COUNT(*) FROM emails").await, 0);
        assert!(smtp.received().is_empty());
    }
}

on_both_stores! {
    async fn a_hanging_smtp_server_never_holds_back_a_webhook(backend: Backend) {
        let smtp = SmtpServer::start().await;
        smtp.set_silent(true);
        let app = tests::spawn_with(backend, &["--smtp-url", &smtp.url(), "--smtp-from", tests::MAIL_FROM,
            "--smtp-timeout-secs", "5", "--dispatch-interval-ms", "50"]).await;
        let receiver = tests::receiver::Receiver::start().await;
        json_of(app.post("/webhooks", &json!({"url": receiver.url})).await, StatusCode::CREATED).await;
        let company = app.new_company("Northwind").await;

        json_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "recipient": {"email": "grace@example.com"}})).await, StatusCode::CREATED).await;
        let mut delivered_while_stuck = None;
        for _ in 0..100 {
            if receiver.received().len() >= 2 {
                delivered_while_stuck = Some(invitations(&app, &company).await[0]["email"]["attempts"].clone());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut recorded = Value::Null;
        for _ in 0..150 {
            recorded = invitations(&app, &company).await[0]["email"].clone();
            if recorded["attempts"] == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }

        assert_eq!(delivered_while_stuck, Some(json!(0)), "the webhooks went out while the email's exchange hung");
        assert_eq!(recorded["status"], "Pending", "{recorded}");
        assert!(recorded["lastAnswer"].as_str().unwrap().contains("did not finish within 5 seconds"), "{recorded}");
    }

    async fn two_senders_and_a_slow_server_send_each_email_once_at_its_own_time(backend: Backend) {
        let smtp = SmtpServer::start().await;
        let app = smtp.app(backend).await;
        let company = app.new_company("Northwind").await;
        for n in 0..4 {
            json_of(invite(&app, &company, json!({"categories": ["banking"], "send": true, "recipient": {"email": format!("colleague{n}@example.com")}})).await, StatusCode::CREATED).await;
        }
        let clock = ManualClock::new();
        smtp.take_each_message_for(clock.clone(), 50);
        let first = app.mail_dispatcher(clock.clone(), &smtp.url()).await;
        let second = app.mail_dispatcher(clock.clone(), &smtp.url()).await;
        clock.advance(1);
        let started = app::clock::Clock::now(clock.as_ref());

        let done = std::sync::atomic::AtomicBool::new(false);
        let by_first = async {
            let sent = first.send_emails().await.unwrap();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            sent
        };
        let by_second = async {
            let mut sent = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                sent += second.send_emails().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            sent
        };
        let (a, b) = tokio::join!(by_first, by_second);

        assert_eq!(a + b, 4, "each email attempted once between them");
        assert_eq!(smtp.received().len(), 4, "and received once");
        let listed = invitations(&app, &company).await;
        assert!(listed.iter().all(|i| i["email"]["status"] == "Sent" && i["email"]["attempts"] == 1), "{listed:?}");
        for invitation in &listed {
            let sent: chrono::DateTime<chrono::Utc> = invitation["email"]["sentDate"].as_str().unwrap().parse().unwrap();
            assert!(sent >= started + chrono::Duration::seconds(50), "recorded when its exchange ended, not at the round's start: {sent} vs {started}");
        }
    }
}
