//! Webhook consumers, the outbox, the dispatcher with its retries, the
//! delivery log and replays. Delivery is driven by a dispatcher the test
//! owns, on a clock the test moves; the receiver checks every signature.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use domain::ports::{Attempt, DeliveryNext, Outcome};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::receiver::{ManualClock, Receiver, Reply};
use tests::{error_of, invalid_items, json_of, on_both_stores, spawn_with, TestApp};

const TIMEOUT: Duration = Duration::from_secs(5);

async fn consumer(app: &TestApp, body: Value) -> Value {
    json_of(app.post("/webhooks", &body).await, StatusCode::CREATED).await
}

async fn company(app: &TestApp, name: &str, tags: Value) -> String {
    app.create_company(json!({"name": name, "tags": tags}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn secret(consumer: &Value) -> String {
    consumer["secret"].as_str().unwrap().to_owned()
}

async fn deliveries(app: &TestApp, consumer: &Value) -> Value {
    let id = consumer["id"].as_str().unwrap();
    json_of(
        app.get(&format!("/webhooks/{id}/deliveries")).await,
        StatusCode::OK,
    )
    .await
}

on_both_stores! {
    async fn consumers_are_created_listed_updated_and_deleted(app: TestApp) {
        let created = consumer(&app, json!({"url": "https://hooks.example.com/in", "eventTypes": ["connection.connected", "company.created"], "companyTags": ["region:uk"]})).await;

        assert!(secret(&created).starts_with("whsec_"));
        assert_eq!((created["disabled"].clone(), created["eventTypes"].clone()), (json!(false), json!(["company.created", "connection.connected"])));
        let listed = json_of(app.get("/webhooks").await, StatusCode::OK).await;
        assert_eq!(listed["results"].as_array().unwrap().len(), 1);
        assert!(listed["results"][0].get("secret").is_none(), "the secret is shown once");
        let path = format!("/webhooks/{}", created["id"].as_str().unwrap());
        let paused = json_of(app.send_json(Method::PATCH, &path, &json!({"disabled": true})).await, StatusCode::OK).await;
        assert_eq!((paused["disabled"].clone(), paused["url"].clone()), (json!(true), created["url"].clone()));
        assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
        error_of(app.delete(&path).await, StatusCode::NOT_FOUND).await;
        error_of(app.with_key(&app.other_client_key().await).get(&format!("{path}/deliveries")).await, StatusCode::NOT_FOUND).await;
        assert_eq!(json_of(app.get("/webhooks").await, StatusCode::OK).await["results"], json!([]));
    }

    async fn invalid_consumers_are_refused_with_every_problem_named(app: TestApp) {
        let missing = error_of(app.post("/webhooks", &json!({})).await, StatusCode::BAD_REQUEST).await;
        let everything = error_of(app.post("/webhooks", &json!({"url": "ftp://user:pw@hooks.example.com", "eventTypes": ["connection.exploded"], "companyTags": ["no-colon"]})).await, StatusCode::BAD_REQUEST).await;
        let test_type = error_of(app.post("/webhooks", &json!({"url": "https://hooks.example.com", "eventTypes": ["webhook.test"]})).await, StatusCode::BAD_REQUEST).await;

        assert_eq!(invalid_items(&missing), ["url"]);
        let mut fields = invalid_items(&everything);
        fields.sort();
        assert_eq!(fields, ["companyTags", "eventTypes", "url"]);
        assert_eq!(invalid_items(&test_type), ["eventTypes"]);
        assert_eq!(json_of(app.get("/webhooks").await, StatusCode::OK).await["results"], json!([]));
    }

    async fn a_client_has_at_most_fifty_consumers(app: TestApp) {
        for n in 0..50 {
            consumer(&app, json!({"url": format!("https://hooks.example.com/{n}")})).await;
        }

        let refused = error_of(app.post("/webhooks", &json!({"url": "https://hooks.example.com/51"})).await, StatusCode::BAD_REQUEST).await;

        assert!(refused["error"].as_str().unwrap().contains("50"), "{refused}");
    }

    async fn every_event_of_a_real_flow_is_delivered_signed(app: TestApp) {
        let receiver = Receiver::start().await;
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        json_of(app.send_json(Method::PUT, "/linkSettings", &json!({"invitationUrl": "https://app.example/go"})).await, StatusCode::OK).await;
        let company = company(&app, "Acme", json!({"region": "uk"})).await;
        let base = format!("/companies/{company}/connections");
        let pending = json_of(app.post(&base, &json!({"platformKey": "mqjo"})).await, StatusCode::OK).await;
        let link = pending["linkUrl"].as_str().unwrap().strip_prefix("http://link.test").unwrap().to_owned();
        // Declining the consent step fails the authorization.
        app.anonymous(Method::GET, &format!("{link}?linkConsent=declined")).send().await.unwrap();
        let consent = app.consent(&company, &["commerce", "banking"]).await;
        let invitation = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["commerce"]})).await, StatusCode::CREATED).await;
        let token = invitation["shareUrl"].as_str().unwrap().split("invitation=").nth(1).unwrap().to_owned();
        json_of(app.anonymous(Method::POST, "/invitations/exchange").json(&json!({"token": token})).send().await.unwrap(), StatusCode::OK).await;
        let shop = json_of(app.post(&base, &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let shop_path = format!("{base}/{}", shop["id"].as_str().unwrap());
        json_of(app.send_json(Method::PUT, &format!("{shop_path}/authorization"), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await, StatusCode::OK).await;
        json_of(app.send_json(Method::PATCH, &shop_path, &json!({"status": "Unlinked"})).await, StatusCode::OK).await;
        json_of(app.send_json(Method::PUT, &format!("{shop_path}/authorization"), &json!({"apiKey": "rk_live_51HabcDEF1234567890"})).await, StatusCode::OK).await;
        let second = json_of(app.post(&format!("/companies/{company}/invitations"), &json!({"categories": ["banking"]})).await, StatusCode::CREATED).await;
        app.delete(&format!("/companies/{company}/invitations/{}", second["id"].as_str().unwrap())).await;
        let id = consent["id"].as_str().unwrap();
        json_of(app.post(&format!("/companies/{company}/consents/{id}/withdraw"), &json!({})).await, StatusCode::OK).await;
        assert_eq!(app.delete(&shop_path).await.status(), StatusCode::OK);
        assert_eq!(app.delete(&format!("/companies/{company}")).await.status(), StatusCode::NO_CONTENT);

        let dispatcher = app.dispatcher(ManualClock::new(), TIMEOUT).await;
        dispatcher.run_once().await.unwrap();

        let received = receiver.received();
        let types: BTreeSet<String> = received.iter().map(|r| r.event_type()).collect();
        let expected: BTreeSet<String> = ["company.created", "company.deleted", "connection.created", "connection.connected",
            "connection.failed", "connection.disconnected", "connection.reconnected", "connection.deleted",
            "consent.granted", "consent.withdrawn", "invitation.created", "invitation.opened", "invitation.completed",
            "invitation.revoked"].iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(types, expected);
        assert!(received.iter().all(|r| r.signed_with(&secret(&hook))), "every delivery is signed with the consumer's secret");
        assert!(received.iter().all(|r| r.json()["id"] == r.id), "webhook-id is the event id");
        let connected = received.iter().find(|r| r.event_type() == "connection.connected").unwrap().json();
        assert_eq!(connected["payload"]["referenceCompany"]["id"], company);
        assert_eq!(connected["payload"]["referenceCompany"]["tags"], json!({"region": "uk"}));
        assert_eq!((connected["payload"]["connection"]["id"].clone(), connected["payload"]["connection"]["status"].clone()), (shop["id"].clone(), json!("Linked")));
        let deleted = received.iter().find(|r| r.event_type() == "company.deleted").unwrap().json();
        assert_eq!((deleted["payload"]["id"].clone(), deleted["payload"]["name"].clone()), (json!(company), json!("Acme")));
        let log = deliveries(&app, &hook).await;
        assert_eq!(log["totalResults"], received.len());
        assert!(log["results"].as_array().unwrap().iter().all(|d| d["status"] == "Delivered" && d["attempts"][0]["statusCode"] == 200));

        let events = json_of(app.get(&format!("/events?companyId={company}&pageSize=100")).await, StatusCode::OK).await;
        assert_eq!(events["totalResults"], received.len(), "the log holds what was delivered");
        let connected_only = json_of(app.get("/events?eventType=connection.connected").await, StatusCode::OK).await;
        assert_eq!(connected_only["totalResults"], 1);
        assert_eq!(connected_only["results"][0]["payload"], connected["payload"], "the log and the delivery say the same");
        let future = json_of(app.get("/events?from=2100-01-01T00:00:00Z").await, StatusCode::OK).await;
        assert_eq!(future["totalResults"], 0);
        error_of(app.get("/events?eventType=connection.exploded").await, StatusCode::BAD_REQUEST).await;
    }

    async fn an_event_carries_the_correlation_id_of_the_call_that_caused_it(app: TestApp) {
        let receiver = Receiver::start().await;
        consumer(&app, json!({"url": receiver.url})).await;
        let created = app.post("/companies", &json!({"name": "Acme"})).await;
        let called = created.headers()["x-correlation-id"].to_str().unwrap().to_owned();
        let company = json_of(created, StatusCode::OK).await["id"].as_str().unwrap().to_owned();
        let consented = app.post(&format!("/companies/{company}/consents"), &json!({"categories": ["accounting"]})).await;
        let consent_call = consented.headers()["x-correlation-id"].to_str().unwrap().to_owned();

        app.dispatcher(ManualClock::new(), TIMEOUT).await.run_once().await.unwrap();

        let delivered: HashMap<String, Value> = receiver.received().iter().map(|r| (r.event_type(), r.json()["correlationId"].clone())).collect();
        assert_eq!(delivered["company.created"], json!(called));
        assert_eq!(delivered["consent.granted"], json!(consent_call));
        let listed = json_of(app.get("/events?eventType=consent.granted").await, StatusCode::OK).await;
        assert_eq!(listed["results"][0]["correlationId"], json!(consent_call));
    }

    async fn a_change_and_its_event_are_written_together_or_not_at_all(app: TestApp) {
        let company = company(&app, "Acme", json!({})).await;
        let base = format!("/companies/{company}/connections");
        let shop = json_of(app.post(&base, &json!({"platformKey": "exgd"})).await, StatusCode::OK).await;
        let path = format!("{base}/{}", shop["id"].as_str().unwrap());
        let credentials = json!({"apiKey": "rk_live_51HabcDEF1234567890"});
        let count = |event_type: &'static str| {
            let app = &app;
            async move {
                json_of(app.get(&format!("/events?eventType={event_type}")).await, StatusCode::OK).await["totalResults"].clone()
            }
        };

        error_of(app.send_json(Method::PUT, &format!("{path}/authorization"), &credentials).await, StatusCode::FORBIDDEN).await;
        assert_eq!(count("connection.connected").await, 0, "a refused link writes no event");
        app.consent(&company, &["commerce"]).await;
        json_of(app.send_json(Method::PUT, &format!("{path}/authorization"), &credentials).await, StatusCode::OK).await;
        let unlink = json!({"status": "Unlinked"});
        let (a, b) = tokio::join!(app.send_json(Method::PATCH, &path, &unlink), app.send_json(Method::PATCH, &path, &unlink));

        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409]);
        assert_eq!(count("connection.connected").await, 1);
        assert_eq!(count("connection.disconnected").await, 1, "the losing unlink wrote nothing");
        assert_eq!(count("company.created").await, 1);
    }

    async fn a_failed_delivery_is_retried_on_the_schedule_until_it_succeeds(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.reply_next(&[Reply::status(500)]);
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        company(&app, "Acme", json!({})).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        dispatcher.run_once().await.unwrap();
        let first = deliveries(&app, &hook).await["results"][0].clone();
        clock.advance(4);
        dispatcher.run_once().await.unwrap();
        let early = receiver.received().len();
        clock.advance(1);
        dispatcher.run_once().await.unwrap();

        assert_eq!((first["status"].clone(), first["attempts"][0]["statusCode"].clone()), (json!("Pending"), json!(500)));
        assert!(first["nextAttemptAt"].is_string());
        assert_eq!(early, 1, "not retried before its time");
        let done = deliveries(&app, &hook).await["results"][0].clone();
        assert_eq!(done["status"], "Delivered");
        assert_eq!(done["attempts"].as_array().unwrap().iter().map(|a| a["statusCode"].clone()).collect::<Vec<_>>(), [json!(500), json!(200)]);
        let received = receiver.received();
        assert_eq!(received[0].id, received[1].id, "a retry keeps the webhook-id");
    }

    async fn retry_after_is_honoured(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.reply_next(&[Reply { retry_after: Some(120), ..Reply::status(429) }]);
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        company(&app, "Acme", json!({})).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        dispatcher.run_once().await.unwrap();
        clock.advance(60);
        dispatcher.run_once().await.unwrap();
        let waited = receiver.received().len();
        clock.advance(60);
        dispatcher.run_once().await.unwrap();

        assert_eq!(waited, 1, "the schedule's 5 seconds gave way to Retry-After's 120");
        assert_eq!(deliveries(&app, &hook).await["results"][0]["status"], "Delivered");
    }

    async fn a_consumer_that_does_not_answer_in_time_is_retried(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.reply_next(&[Reply { delay: Duration::from_secs(3), ..Reply::status(200) }]);
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        company(&app, "Acme", json!({})).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), Duration::from_millis(300)).await;

        dispatcher.run_once().await.unwrap();
        let timed_out = deliveries(&app, &hook).await["results"][0].clone();
        clock.advance(5);
        dispatcher.run_once().await.unwrap();

        assert_eq!(timed_out["status"], "Pending");
        assert!(timed_out["attempts"][0].get("statusCode").is_none());
        assert!(timed_out["attempts"][0]["error"].as_str().unwrap().contains("in time"), "{timed_out}");
        assert_eq!(deliveries(&app, &hook).await["results"][0]["status"], "Delivered");
    }

    async fn a_delivery_fails_after_the_last_attempt(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.reply_always(Reply::status(503));
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        company(&app, "Acme", json!({})).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        for _ in 0..12 {
            dispatcher.run_once().await.unwrap();
            clock.advance(36_000);
        }

        let failed = deliveries(&app, &hook).await["results"][0].clone();
        assert_eq!(failed["status"], "Failed");
        assert_eq!(failed["attempts"].as_array().unwrap().len(), 8);
        assert!(failed.get("nextAttemptAt").is_none());
        assert_eq!(receiver.received().len(), 8);
    }

    async fn consumers_get_only_the_event_types_and_company_tags_they_ask_for(app: TestApp) {
        let receiver = Receiver::start().await;
        consumer(&app, json!({"url": receiver.url, "eventTypes": ["company.deleted"], "companyTags": ["region:uk", "tier:gold"]})).await;
        let uk = company(&app, "Uk", json!({"region": "uk"})).await;
        let us = company(&app, "Us", json!({"region": "us"})).await;
        app.delete(&format!("/companies/{uk}")).await;
        app.delete(&format!("/companies/{us}")).await;

        app.dispatcher(ManualClock::new(), TIMEOUT).await.run_once().await.unwrap();

        let received = receiver.received();
        assert_eq!(received.len(), 1);
        assert_eq!((received[0].event_type(), received[0].json()["payload"]["id"].clone()), ("company.deleted".to_owned(), json!(uk)));
    }

    async fn a_disabled_consumers_deliveries_wait_until_it_is_enabled(app: TestApp) {
        let receiver = Receiver::start().await;
        let hook = consumer(&app, json!({"url": receiver.url, "disabled": true})).await;
        company(&app, "Acme", json!({})).await;
        let dispatcher = app.dispatcher(ManualClock::new(), TIMEOUT).await;

        dispatcher.run_once().await.unwrap();
        let waiting = deliveries(&app, &hook).await["results"][0].clone();
        json_of(app.send_json(Method::PATCH, &format!("/webhooks/{}", hook["id"].as_str().unwrap()), &json!({"disabled": false})).await, StatusCode::OK).await;
        dispatcher.run_once().await.unwrap();

        assert_eq!((waiting["status"].clone(), waiting["attempts"].clone()), (json!("Pending"), json!([])));
        assert_eq!(receiver.received().len(), 1);
    }

    async fn events_are_replayed_and_test_events_sent(app: TestApp) {
        let receiver = Receiver::start().await;
        let other = Receiver::start().await;
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        let second = consumer(&app, json!({"url": other.url, "eventTypes": ["company.deleted"]})).await;
        company(&app, "Acme", json!({})).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;
        dispatcher.run_once().await.unwrap();
        let event = receiver.received()[0].json();
        let replay_path = format!("/events/{}/replay", event["id"].as_str().unwrap());
        let replay = |body: Value| {
            let request = app.request(Method::POST, &replay_path).json(&body);
            async move { request.send().await.unwrap() }
        };

        let to_all = json_of(replay(json!({})).await, StatusCode::ACCEPTED).await;
        let to_one = json_of(replay(json!({"webhookId": second["id"]})).await, StatusCode::ACCEPTED).await;
        let tested = json_of(app.post(&format!("/webhooks/{}/test", hook["id"].as_str().unwrap()), &json!({})).await, StatusCode::ACCEPTED).await;
        clock.advance(1);
        dispatcher.run_once().await.unwrap();

        assert_eq!(to_all["webhookIds"], json!([hook["id"]]), "only the consumer that wants it");
        assert_eq!(to_one["webhookIds"], json!([second["id"]]), "a named consumer gets it regardless of its filters");
        assert_eq!(tested["eventType"], "webhook.test");
        let mut types: Vec<String> = receiver.received().iter().map(|r| r.event_type()).collect();
        types.sort();
        assert_eq!(types, ["company.created", "company.created", "webhook.test"], "deliveries go out concurrently, in no set order");
        assert_eq!(other.received().len(), 1);
        assert!(receiver.received().iter().all(|r| r.signed_with(&secret(&hook))));
        error_of(app.post(&format!("/events/{}/replay", uuid::Uuid::new_v4()), &json!({})).await, StatusCode::NOT_FOUND).await;
        error_of(replay(json!({"webhookId": uuid::Uuid::new_v4()})).await, StatusCode::NOT_FOUND).await;
        error_of(app.post(&format!("/webhooks/{}/test", uuid::Uuid::new_v4()), &json!({})).await, StatusCode::NOT_FOUND).await;
        let foreign = app.with_key(&app.other_client_key().await);
        error_of(foreign.get(&format!("/events/{}", event["id"].as_str().unwrap())).await, StatusCode::NOT_FOUND).await;
    }

    async fn a_rotated_secret_signs_beside_the_new_one_for_a_day(app: TestApp) {
        let receiver = Receiver::start().await;
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        let old = secret(&hook);
        let rotated = json_of(app.post(&format!("/webhooks/{}/secret", hook["id"].as_str().unwrap()), &json!({})).await, StatusCode::OK).await;
        let new = rotated["secret"].as_str().unwrap().to_owned();
        company(&app, "Acme", json!({})).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        dispatcher.run_once().await.unwrap();
        clock.advance(25 * 3600);
        company(&app, "Later", json!({})).await;
        dispatcher.run_once().await.unwrap();

        let received = receiver.received();
        assert_ne!(old, new);
        assert!(received[0].signed_with(&old) && received[0].signed_with(&new), "both during the grace period");
        assert!(received[1].signed_with(&new) && !received[1].signed_with(&old), "only the new one afterwards");
    }

    async fn two_dispatchers_deliver_a_burst_once(app: TestApp) {
        let receiver = Receiver::start().await;
        consumer(&app, json!({"url": receiver.url})).await;
        for n in 0..40 {
            company(&app, &format!("Burst {n}"), json!({})).await;
        }
        let clock = ManualClock::new();
        let (first, second) = (app.dispatcher(clock.clone(), TIMEOUT).await, app.dispatcher(clock.clone(), TIMEOUT).await);

        let (a, b) = tokio::join!(first.run_once(), second.run_once());

        assert_eq!(a.unwrap() + b.unwrap(), 40, "forty attempts between them");
        let mut counts: HashMap<String, usize> = HashMap::new();
        for received in receiver.received() {
            *counts.entry(received.id).or_default() += 1;
        }
        assert_eq!(counts.len(), 40);
        assert!(counts.values().all(|n| *n == 1), "no event sent twice");
    }

    async fn a_claim_leases_at_most_its_limit_and_records_only_what_it_holds(app: TestApp) {
        let store = app.store().await;
        let now = chrono::Utc::now();
        let lease = now + chrono::TimeDelta::seconds(60);
        // Claims on an empty table first: a plan cached then must not leak into later claims.
        for _ in 0..8 {
            assert!(store.claim_deliveries(now, lease, 25).await.unwrap().is_empty());
        }
        consumer(&app, json!({"url": "http://127.0.0.1:9/hook"})).await;
        for n in 0..60 {
            company(&app, &format!("Burst {n}"), json!({})).await;
        }
        assert_eq!(store.fan_out(now, 500).await.unwrap(), 60);

        let claims = [
            store.claim_deliveries(now, lease, 25).await.unwrap(),
            store.claim_deliveries(now, lease, 25).await.unwrap(),
            store.claim_deliveries(now, lease, 25).await.unwrap(),
            store.claim_deliveries(now, lease, 25).await.unwrap(),
        ];
        assert_eq!(claims.iter().map(Vec::len).collect::<Vec<_>>(), vec![25, 25, 10, 0]);
        let distinct: BTreeSet<_> = claims.iter().flatten().map(|d| d.id).collect();
        assert_eq!(distinct.len(), 60, "no delivery leased twice");

        let attempt = Attempt { at: now, status_code: Some(204), latency_ms: 3, error: None };
        let outcome = |id, lease_until| Outcome { delivery: id, lease_until, attempt: attempt.clone(), next: DeliveryNext::Delivered };
        let held = store
            .record_attempts(&[
                outcome(claims[0][0].id, lease),
                outcome(claims[0][1].id, lease + chrono::TimeDelta::seconds(1)),
                outcome(claims[0][2].id, lease),
            ])
            .await
            .unwrap();
        assert_eq!(held, vec![true, false, true], "a lease not held records nothing");
        let hook = store.claim_deliveries(now, lease, 1).await.unwrap();
        assert!(hook.is_empty(), "the rest are still leased");
    }

    async fn a_dispatcher_killed_mid_burst_is_finished_by_another(app: TestApp) {
        let receiver = Receiver::start().await;
        receiver.reply_always(Reply { delay: Duration::from_millis(200), ..Reply::status(200) });
        let hook = consumer(&app, json!({"url": receiver.url})).await;
        for n in 0..60 {
            company(&app, &format!("Burst {n}"), json!({})).await;
        }
        let clock = ManualClock::new();
        let doomed = app.dispatcher(clock.clone(), TIMEOUT).await;

        let running = tokio::spawn(async move { doomed.run_once().await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        running.abort();
        let _ = running.await;
        clock.advance(61);
        app.dispatcher(clock.clone(), TIMEOUT).await.run_once().await.unwrap();

        let ids: BTreeSet<String> = receiver.received().into_iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), 60, "every event arrived at least once");
        let log = json_of(app.get(&format!("/webhooks/{}/deliveries?pageSize=100", hook["id"].as_str().unwrap())).await, StatusCode::OK).await;
        assert!(log["results"].as_array().unwrap().iter().all(|d| d["status"] == "Delivered"));
    }
}

on_both_stores! {
    async fn loopback_consumers_are_refused_unless_allowed(backend: Backend) {
        let app = spawn_with(backend, &["--webhook-allow-private", "false"]).await;

        for url in ["http://127.0.0.1:9000/in", "http://localhost/in", "http://[::1]/in", "http://169.254.169.254/latest", "http://10.0.0.5/in"] {
            let refused = error_of(app.post("/webhooks", &json!({"url": url})).await, StatusCode::BAD_REQUEST).await;
            assert_eq!(refused["validation"]["errors"][0]["validatorName"], "PrivateAddress", "{url}");
        }
        consumer(&app, json!({"url": "https://hooks.example.com/in"})).await;
    }

    async fn the_background_dispatcher_delivers_by_itself(backend: Backend) {
        let app = spawn_with(backend, &["--dispatch-interval-ms", "50"]).await;
        let receiver = Receiver::start().await;
        let hook = consumer(&app, json!({"url": receiver.url})).await;

        company(&app, "Acme", json!({})).await;

        for _ in 0..200 {
            if !receiver.received().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let received = receiver.received();
        assert_eq!(received.len(), 1, "delivered within ten seconds");
        assert!(received[0].signed_with(&secret(&hook)));
    }
}
