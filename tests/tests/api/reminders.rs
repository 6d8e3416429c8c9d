//! Reminders of journeys not completed and announcements of invitations about
//! to expire, driven by dispatchers the test owns on a clock the test moves.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::receiver::ManualClock;
use tests::{error_of, invalid_items, json_of, on_both_stores, TestApp};

const TIMEOUT: Duration = Duration::from_secs(5);
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The company's events of one type, oldest first.
async fn events(app: &TestApp, company: &str, event_type: &str) -> Vec<Value> {
    let listed = json_of(
        app.get(&format!(
            "/events?eventType={event_type}&companyId={company}"
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    let mut found = listed["results"].as_array().unwrap().clone();
    found.reverse();
    found
}

/// A company's reminders, as `GET …/reminders` shows them.
pub async fn reminders(app: &TestApp, company: &str) -> Value {
    json_of(
        app.get(&format!("/companies/{company}/reminders")).await,
        StatusCode::OK,
    )
    .await
}

/// `PUT …/reminders` with `body`.
pub async fn set_reminders(app: &TestApp, company: &str, body: Value) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        &format!("/companies/{company}/reminders"),
        &body,
    )
    .await
}

/// Links the accounting category: a consent, then a credentials platform.
async fn link_accounting(app: &TestApp, company: &str) {
    app.consent(company, &["accounting"]).await;
    let path = format!("/companies/{company}/connections");
    let created = json_of(
        app.post(&path, &json!({"platformKey": "gbol"})).await,
        StatusCode::OK,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    json_of(
        app.send_json(
            Method::PUT,
            &format!("{path}/{id}/authorization"),
            &json!({"accessToken": "at-1"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

on_both_stores! {
    async fn each_reminder_of_the_schedule_goes_out_once_across_two_dispatchers(app: TestApp) {
        json_of(app.send_json(Method::PUT, "/profile", &json!({"name": "Acme Lending", "redirectUrl": ""})).await, StatusCode::OK).await;
        let company = app.new_company("Northwind").await;
        let clock = ManualClock::new();
        let first = app.dispatcher(clock.clone(), TIMEOUT).await;
        let second = app.dispatcher(clock.clone(), TIMEOUT).await;

        clock.advance(DAY);
        first.remind().await.unwrap();
        let waiting = reminders(&app, &company).await;
        clock.advance(DAY + HOUR);
        let (a, b) = tokio::join!(first.remind(), second.remind());
        let after_first = events(&app, &company, "journey.reminder").await;
        clock.advance(3 * DAY);
        second.remind().await.unwrap();
        first.remind().await.unwrap();
        let after_second = events(&app, &company, "journey.reminder").await;

        assert_eq!(waiting["enabled"], true);
        assert!(waiting["nextDueDate"].is_string(), "{waiting}");
        assert_eq!(a.unwrap().reminded + b.unwrap().reminded, 1, "two dispatchers, one reminder");
        assert_eq!(after_first.len(), 1);
        let reminder = &after_first[0]["payload"]["reminder"];
        assert_eq!(after_first[0]["payload"]["referenceCompany"]["id"], company.as_str());
        assert_eq!((reminder["number"].clone(), reminder["of"].clone()), (json!(1), json!(3)));
        assert_eq!(reminder["missingCategories"], json!([{"category": "accounting", "required": true}]));
        // The hosted journey, at the public URL of the service that sent it (this dispatcher's).
        assert!(reminder["journeyUrl"].as_str().unwrap().ends_with(&format!("/link/company/{company}")), "{reminder}");
        assert_eq!(reminder["locale"], "en");
        assert_eq!(reminder["texts"]["subject"], "One step left to connect your business to Acme Lending");
        assert!(reminder["texts"]["value"].as_str().unwrap().contains("Acme Lending"));
        assert!(reminder["nextReminderDate"].is_string());
        assert_eq!(after_second.len(), 2);
        assert_eq!(after_second[1]["payload"]["reminder"]["number"], 2);
        let state = reminders(&app, &company).await;
        let history: Vec<_> = state["history"].as_array().unwrap().iter().map(|h| (h["number"].clone(), h["eventId"].clone())).collect();
        assert_eq!(history, [(json!(1), after_second[0]["id"].clone()), (json!(2), after_second[1]["id"].clone())]);
        assert!(state["nextDueDate"].is_string(), "the third is still to come");
    }

    async fn reminders_stop_when_the_journey_is_complete_the_company_opts_out_or_is_gone(app: TestApp) {
        let complete = app.new_company("Complete").await;
        link_accounting(&app, &complete).await;
        let opted_out = app.new_company("Opted out").await;
        let customer = app.with_key(&app.company_token(&opted_out).await);
        let gone = app.new_company("Gone").await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        let off = json_of(set_reminders(&customer, &opted_out, json!({"enabled": false})).await, StatusCode::OK).await;
        assert_eq!(app.delete(&format!("/companies/{gone}")).await.status(), StatusCode::NO_CONTENT);
        clock.advance(2 * DAY + HOUR);
        let round = dispatcher.remind().await.unwrap();

        assert_eq!(round.reminded, 0);
        assert_eq!(events(&app, &complete, "journey.reminder").await.len(), 0);
        assert_eq!(events(&app, &opted_out, "journey.reminder").await.len(), 0);
        assert_eq!((off["enabled"].clone(), off.get("nextDueDate")), (json!(false), None));
        let status = json_of(customer.get(&format!("/companies/{opted_out}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(status["reminders"]["enabled"], false);
        let complete_status = json_of(app.get(&format!("/companies/{complete}/linkStatus")).await, StatusCode::OK).await;
        assert_eq!(complete_status["reminders"].get("nextDueDate"), None, "nothing is missing");

        let on = json_of(set_reminders(&customer, &opted_out, json!({"enabled": true})).await, StatusCode::OK).await;
        assert_eq!(on["enabled"], true);
        dispatcher.remind().await.unwrap();
        assert_eq!(events(&app, &opted_out, "journey.reminder").await.len(), 1, "turned on again, it is reminded");
    }

    async fn the_policy_decides_what_counts_where_the_customer_goes_and_the_words(app: TestApp) {
        let policy = json!({"reminders": {"scheduleDays": [1, 3], "includeOptional": true,
            "journeyUrl": "https://app.example.com/connect/{companyId}",
            "texts": {"fr": {"subject": "Votre dossier chez {client}"}}}});
        json_of(app.send_json(Method::PUT, "/linkSettings", &policy).await, StatusCode::OK).await;
        json_of(app.send_json(Method::PUT, "/profile", &json!({"name": "Acme Lending", "redirectUrl": ""})).await, StatusCode::OK).await;
        let company = app.new_company("Northwind").await;
        json_of(app.post(&format!("/companies/{company}/consents"), &json!({"categories": ["banking"], "locale": "fr-CA"})).await, StatusCode::CREATED).await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        clock.advance(DAY + HOUR);
        dispatcher.remind().await.unwrap();

        let sent = events(&app, &company, "journey.reminder").await;
        let reminder = &sent[0]["payload"]["reminder"];
        assert_eq!(reminder["missingCategories"], json!([
            {"category": "accounting", "required": true},
            {"category": "banking", "required": false},
            {"category": "commerce", "required": false}]));
        assert_eq!(reminder["journeyUrl"], format!("https://app.example.com/connect/{company}"));
        assert_eq!(reminder["locale"], "fr-CA");
        assert_eq!(reminder["texts"]["subject"], "Votre dossier chez Acme Lending");
        assert_eq!(reminder["texts"]["callToAction"], "Reprendre", "the shipped French for what the client left out");
        assert_eq!(reminder["of"], 2);
    }

    async fn a_reminder_past_its_time_is_skipped_and_a_new_schedule_applies_at_once(app: TestApp) {
        let company = app.new_company("Northwind").await;
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        clock.advance(30 * DAY);
        dispatcher.remind().await.unwrap();
        let late = events(&app, &company, "journey.reminder").await.len();
        let done = reminders(&app, &company).await;
        let schedule = json!({"reminders": {"scheduleDays": [2, 5, 10, 40]}});
        json_of(app.send_json(Method::PUT, "/linkSettings", &schedule).await, StatusCode::OK).await;
        clock.advance(10 * DAY);
        dispatcher.remind().await.unwrap();

        assert_eq!(late, 0, "reminders more than a day late are not sent");
        assert_eq!((done["history"].clone(), done.get("nextDueDate")), (json!([]), None));
        let sent = events(&app, &company, "journey.reminder").await;
        assert_eq!(sent.len(), 1, "the added fourth reminder goes out on its day");
        assert_eq!((sent[0]["payload"]["reminder"]["number"].clone(), sent[0]["payload"]["reminder"]["of"].clone()), (json!(4), json!(4)));
    }

    async fn invitations_about_to_expire_are_announced_once(app: TestApp) {
        let company = app.new_company("Northwind").await;
        let path = format!("/companies/{company}/invitations");
        let invitation = json_of(app.post(&path, &json!({"categories": ["banking"], "expiresInHours": 30})).await, StatusCode::CREATED).await;
        let revoked = json_of(app.post(&path, &json!({"categories": ["banking"], "expiresInHours": 30})).await, StatusCode::CREATED).await;
        assert_eq!(app.delete(&format!("{path}/{}", revoked["id"].as_str().unwrap())).await.status(), StatusCode::NO_CONTENT);
        let clock = ManualClock::new();
        let dispatcher = app.dispatcher(clock.clone(), TIMEOUT).await;

        clock.advance(5 * HOUR);
        let early = dispatcher.remind().await.unwrap().expiring;
        clock.advance(2 * HOUR);
        let due = dispatcher.remind().await.unwrap().expiring;
        let again = dispatcher.remind().await.unwrap().expiring;

        assert_eq!((early, due, again), (0, 1, 0));
        let announced = events(&app, &company, "invitation.expiring").await;
        assert_eq!(announced.len(), 1);
        assert_eq!(announced[0]["payload"]["invitation"]["id"], invitation["id"]);
    }

    async fn bad_reminder_settings_and_opt_outs_are_refused_with_the_field_named(app: TestApp) {
        let company = app.new_company("Northwind").await;
        let other = app.with_key(&app.other_client_key().await);

        let wrong_type = error_of(set_reminders(&app, &company, json!({"enabled": "no"})).await, StatusCode::BAD_REQUEST).await;
        let missing = error_of(set_reminders(&app, &company, json!({})).await, StatusCode::BAD_REQUEST).await;
        let unknown = error_of(set_reminders(&app, "0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41", json!({"enabled": false})).await, StatusCode::NOT_FOUND).await;
        error_of(set_reminders(&other, &company, json!({"enabled": false})).await, StatusCode::NOT_FOUND).await;
        error_of(other.get(&format!("/companies/{company}/reminders")).await, StatusCode::NOT_FOUND).await;
        let policy = json!({"reminders": {"scheduleDays": [5, 2], "journeyUrl": "javascript:alert(1)",
            "texts": {"en": {"subject": "", "footer": "x"}, "../etc": {"value": "x"}}}});
        let refused = error_of(app.send_json(Method::PUT, "/linkSettings", &policy).await, StatusCode::BAD_REQUEST).await;

        assert!(wrong_type["error"].as_str().unwrap().contains("`enabled`"), "{wrong_type}");
        assert!(missing["error"].as_str().unwrap().contains("enabled"), "{missing}");
        assert!(unknown["error"].as_str().unwrap().contains("0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41"), "{unknown}");
        assert_eq!(invalid_items(&refused), [
            "reminders.scheduleDays", "reminders.journeyUrl", "reminders.texts.../etc",
            "reminders.texts.en.footer", "reminders.texts.en.subject"]);
        assert_eq!(reminders(&app, &company).await["enabled"], true, "nothing changed");
        let settings = json_of(app.get("/linkSettings").await, StatusCode::OK).await;
        assert_eq!(settings["reminders"], json!({"enabled": true, "scheduleDays": [2, 5, 10], "includeOptional": false, "sendEmails": false}));
    }
}
