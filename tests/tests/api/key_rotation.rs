//! Encryption key rotation: every kind of stored secret moves to the newest
//! key, in batches, resumably, without clobbering a secret written meanwhile;
//! afterwards the service runs with the new key alone.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use app::keys::{rotate, status};
use app::secrets::Cipher;
use domain::ports::{Reseal, Store};
use domain::secrets::{SecretClass, SecretLocation};
use link_api::dispatcher::{workers, HttpSender};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::receiver::{ManualClock, Receiver};
use tests::{json_of, local, on_both_stores, spawn_on_with, TestApp, ENCRYPTION_KEY};

/// A second key, 32 bytes of 0x07.
const NEW_KEY: &str = "2:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

fn cipher(keys: &str) -> Cipher {
    Cipher::new(link_api::config::parse_encryption_keys(keys).unwrap()).unwrap()
}

/// Every stored secret opened, by where it lives.
async fn plaintexts(store: &dyn Store, cipher: &Cipher) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut all = BTreeMap::new();
    for class in SecretClass::ALL {
        for secret in store
            .secrets_to_reseal(class, u32::MAX, None, 10_000)
            .await
            .unwrap()
        {
            let plain = cipher
                .open(&secret.sealed, &secret.location.context())
                .unwrap();
            all.insert(
                format!("{:?}", secret.location),
                (secret.sealed.key_version, plain.to_vec()),
            );
        }
    }
    all
}

/// What the setup leaves for the checks after rotation.
struct Setup {
    company: String,
    journey: Value,
    /// The provider's authorization page of the journey left half-way.
    authorize: String,
    /// The secrets of the consumer that delivers to the receiver: previous, current.
    hook_secrets: Vec<String>,
}

/// Secrets of every class, sealed with the first key: connection credentials and
/// tokens, an OAuth client secret, webhooks' current and previous secrets, and the
/// PKCE verifier of an OAuth journey left half-way.
async fn secrets_of_every_class(app: &TestApp, receiver: &Receiver) -> Setup {
    let (company, journey) = app.consented_connection("mqjo").await;
    let other = app.create_company(json!({"name": "Direct"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.consent(&other, &["accounting", "commerce"]).await;
    let base = format!("/companies/{other}/connections");
    let settings = json!({"oauthClientId": "client-id", "oauthClientSecret": "client-secret"});
    let patched = app
        .send_json(Method::PATCH, "/integrations/gbol/settings", &settings)
        .await;
    json_of(patched, StatusCode::OK).await;
    let verifier = json!({"credentialsVerifierUrl": "https://verify.example/credentials"});
    let patched = app
        .send_json(Method::PATCH, "/integrations/knfz/settings", &verifier)
        .await;
    json_of(patched, StatusCode::OK).await;
    let materials = [
        ("exgd", json!({"apiKey": "rk_live_KEYROTATIONCREDENTIAL42"})),
        (
            "gbol",
            json!({"accessToken": "a", "refreshToken": "r", "expiresIn": "3600"}),
        ),
    ];
    for (platform, material) in materials {
        let created = app.post(&base, &json!({"platformKey": platform})).await;
        let id = json_of(created, StatusCode::OK).await["id"].clone();
        let path = format!("{base}/{}/authorization", id.as_str().unwrap());
        let authorized = app.send_json(Method::PUT, &path, &material).await;
        json_of(authorized, StatusCode::OK).await;
    }
    let mut hook_secrets = Vec::new();
    for url in [receiver.url.as_str(), "https://hooks.example/in"] {
        let created = app.post("/webhooks", &json!({"url": url})).await;
        let webhook = json_of(created, StatusCode::CREATED).await;
        let path = format!("/webhooks/{}/secret", webhook["id"].as_str().unwrap());
        let rotated = json_of(app.post(&path, &json!({})).await, StatusCode::OK).await;
        hook_secrets.push(webhook["secret"].as_str().unwrap().to_owned());
        hook_secrets.push(rotated["secret"].as_str().unwrap().to_owned());
    }
    hook_secrets.truncate(2);
    let link = local(journey["linkUrl"].as_str().unwrap());
    let start = app.anonymous(Method::GET, &link).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    let authorize = local(start.headers()["location"].to_str().unwrap());
    Setup {
        company,
        journey,
        authorize,
        hook_secrets,
    }
}

on_both_stores! {
    async fn rotation_moves_every_secret_to_the_newest_key_and_the_old_key_can_go(app: TestApp) {
        let receiver = Receiver::start().await;
        let setup = secrets_of_every_class(&app, &receiver).await;
        let store = app.store().await;
        let old = cipher(ENCRYPTION_KEY);
        let both = cipher(&format!("{ENCRYPTION_KEY},{NEW_KEY}"));
        let before = plaintexts(store.as_ref(), &old).await;
        let classes: std::collections::BTreeSet<_> = store.count_secrets().await.unwrap().iter().map(|c| c.class).collect();
        assert_eq!(classes.len(), SecretClass::ALL.len(), "the setup stores every class: {classes:?}");

        // A run stopped after its first batch (an operator's Ctrl-C) leaves the rest untouched...
        let mut batches = 0;
        let stopped = rotate(store.as_ref(), &both, 2, &mut |_| { batches += 1; ControlFlow::Break(()) }).await.unwrap();
        assert_eq!((stopped.finished, stopped.resealed, batches), (false, 2, 1));
        let behind = status(store.as_ref(), &both).await.unwrap().1;
        assert_eq!(behind as usize, before.len() - 2);

        // ...and the next run finishes the job, batch by batch.
        let mut batches = Vec::new();
        let finished = rotate(store.as_ref(), &both, 2, &mut |batch| { batches.push(batch.clone()); ControlFlow::Continue(()) }).await.unwrap();
        assert!(finished.finished && finished.unreadable.is_empty());
        assert_eq!(finished.resealed as usize, before.len() - 2);
        assert!(batches.iter().all(|b| b.resealed <= 2));
        assert_eq!(status(store.as_ref(), &both).await.unwrap().1, 0);

        // Same secrets, new ciphertexts, all under key 2, which alone opens them.
        let after = plaintexts(store.as_ref(), &cipher(NEW_KEY)).await;
        assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
        for (location, (version, plain)) in &after {
            assert_eq!((*version, plain), (2, &before[location].1), "{location}");
        }
        let again = rotate(store.as_ref(), &both, 2, &mut |_| ControlFlow::Continue(())).await.unwrap();
        assert_eq!((again.resealed, again.finished), (0, true));

        // The service runs with the new key alone: the half-way journey completes
        // (its verifier opens), and its events go out signed with both secrets.
        let renewed = spawn_on_with(app.database.share(), &["--encryption-key", NEW_KEY]).await;
        let decided = renewed.sandbox_decision(&setup.authorize, "approve").await;
        assert_eq!(decided.status(), StatusCode::SEE_OTHER);
        let callback = local(decided.headers()["location"].to_str().unwrap());
        renewed.anonymous(Method::GET, &callback).send().await.unwrap();
        assert_eq!(renewed.fetch_connection(&setup.company, &setup.journey).await["status"], "Linked");
        let sender = HttpSender::with_timeout(true, Duration::from_secs(5)).unwrap();
        workers(renewed.store().await, cipher(NEW_KEY), Arc::new(sender), ManualClock::new()).run_once().await.unwrap();
        let received = receiver.received();
        assert!(received.iter().any(|r| r.event_type() == "connection.connected"));
        for delivery in &received {
            assert!(setup.hook_secrets.iter().all(|s| delivery.signed_with(s)), "signed with both secrets");
        }
    }

    async fn rotation_leaves_a_secret_changed_meanwhile_as_its_writer_sealed_it(app: TestApp) {
        let store = app.store().await;
        let webhook = json_of(app.post("/webhooks", &json!({"url": "https://hooks.example/in"})).await, StatusCode::CREATED).await;
        let id: uuid::Uuid = webhook["id"].as_str().unwrap().parse().unwrap();
        let read = store.secrets_to_reseal(SecretClass::WebhookSecret, 2, None, 10).await.unwrap().remove(0);
        let both = cipher(&format!("{ENCRYPTION_KEY},{NEW_KEY}"));
        let resealed = both.reseal(&read.sealed, &read.location.context()).unwrap();

        // The secret is rotated through the API between the rotation's read and its write.
        let rotated = json_of(app.post(&format!("/webhooks/{id}/secret"), &json!({})).await, StatusCode::OK).await;
        let written = store.reseal_secrets(&[Reseal { location: SecretLocation::Webhook(id), old: read.sealed.clone(), new: resealed }]).await.unwrap();

        assert_eq!(written, 0);
        let now = store.secrets_to_reseal(SecretClass::WebhookSecret, 2, None, 10).await.unwrap().remove(0);
        assert_ne!(now.sealed, read.sealed);
        let plain = cipher(ENCRYPTION_KEY).open(&now.sealed, &now.location.context()).unwrap();
        assert_eq!(String::from_utf8(plain.to_vec()).unwrap(), rotated["secret"].as_str().unwrap());
    }

    async fn a_secret_that_does_not_open_is_reported_and_left_in_place(app: TestApp) {
        json_of(app.post("/webhooks", &json!({"url": "https://hooks.example/in"})).await, StatusCode::CREATED).await;
        let store = app.store().await;
        let wrong_old_key = cipher("1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,2:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");

        let rotation = rotate(store.as_ref(), &wrong_old_key, 10, &mut |_| ControlFlow::Continue(())).await.unwrap();

        assert_eq!((rotation.resealed, rotation.unreadable.len()), (0, 1));
        assert_eq!(rotation.unreadable[0].key_version, 1);
        assert_eq!(status(store.as_ref(), &wrong_old_key).await.unwrap().1, 1);
    }
}
