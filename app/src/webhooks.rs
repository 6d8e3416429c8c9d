//! Webhooks: the signing secrets and signatures (Standard Webhooks), the
//! port that sends one request to a consumer, and the delivery worker that
//! fans new events out to their consumers and sends what is due, leasing
//! each delivery so that several replicas never send one twice at once.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::ports::{Attempt, DeliveryNext, DueDelivery, Outcome, RepoError, Store};
use domain::secrets::{SealedSecret, SecretLocation};
use domain::webhook::{next_attempt, Event};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::clock::Clock;
use crate::secrets::Cipher;

/// How long a leased delivery stays with one dispatcher: longer than a send can take.
const LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// Events fanned out per transaction.
const FAN_OUT_BATCH: u32 = 500;
/// Deliveries claimed, sent at once and recorded together.
const SEND_BATCH: u32 = 50;

/// What a consumer answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub status: Option<u16>,
    /// Seconds from `Retry-After`, when sent.
    pub retry_after: Option<i64>,
    /// Why nothing usable came back (refused address, timeout, connection error).
    pub error: Option<String>,
}

/// Sends one signed request to a consumer.
#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn send(&self, url: &str, headers: &[(&str, String)], body: String) -> Answer;
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> Zeroizing<String> {
    let bytes: [u8; 32] = rand::random();
    Zeroizing::new(format!("whsec_{}", STANDARD.encode(bytes)))
}

/// The `v1,<signature>` of a message under a `whsec_` secret.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The body an event is delivered with: the event as the API shows it.
pub trait EventBodies: Send + Sync {
    fn body(&self, event: &Event) -> String;
}

/// Delivers events; one per process, any number per store.
pub struct Deliverer {
    store: Arc<dyn Store>,
    cipher: Cipher,
    sender: Arc<dyn WebhookSender>,
    clock: Arc<dyn Clock>,
    bodies: Arc<dyn EventBodies>,
}

impl Deliverer {
    pub fn new(
        store: Arc<dyn Store>,
        cipher: Cipher,
        sender: Arc<dyn WebhookSender>,
        clock: Arc<dyn Clock>,
        bodies: Arc<dyn EventBodies>,
    ) -> Self {
        Self {
            store,
            cipher,
            sender,
            clock,
            bodies,
        }
    }

    /// One round: fans new events out, then sends every due delivery it can
    /// lease. Returns the number of attempts made.
    pub async fn run_once(&self) -> Result<usize, RepoError> {
        let now = self.clock.now();
        while self.store.fan_out(now, FAN_OUT_BATCH).await? == FAN_OUT_BATCH as usize {}
        let mut attempts = 0;
        loop {
            let now = self.clock.now();
            let due = self
                .store
                .claim_deliveries(now, now + LEASE, SEND_BATCH)
                .await?;
            if due.is_empty() {
                return Ok(attempts);
            }
            attempts += due.len();
            let sends = due.into_iter().map(|delivery| self.deliver(delivery));
            // What was sent is recorded even when another delivery of the batch failed.
            let (outcomes, failures): (Vec<_>, Vec<_>) = futures_util::future::join_all(sends)
                .await
                .into_iter()
                .partition(Result::is_ok);
            let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
            let held = self.store.record_attempts(&outcomes).await?;
            for (outcome, held) in outcomes.iter().zip(held) {
                if !held {
                    tracing::warn!(delivery = %outcome.delivery, "a delivery's lease ran out before its attempt was recorded");
                }
            }
            if let Some(Err(error)) = failures.into_iter().next() {
                return Err(error);
            }
        }
    }

    /// Forgets what has expired: idempotency keys, Sandbox codes, and OAuth
    /// states a day after their lifetime (until then a late callback still
    /// finds its state and can tell the customer it expired).
    pub async fn purge_expired(&self) {
        let now = self.clock.now();
        let purges = [
            (
                "idempotency keys",
                self.store.purge_idempotency_keys(now).await,
            ),
            ("Sandbox codes", self.store.purge_sandbox_codes(now).await),
            (
                "OAuth states",
                self.store
                    .purge_oauth_states(now - chrono::Duration::days(1))
                    .await,
            ),
        ];
        for (what, purged) in purges {
            match purged {
                Ok(0) => {}
                Ok(count) => tracing::debug!(count, what, "purged expired records"),
                Err(error) => tracing::warn!(%error, what, "expired records were not purged"),
            }
        }
    }

    /// Sends one delivery; what happened is recorded with the rest of its batch.
    async fn deliver(&self, delivery: DueDelivery) -> Result<Outcome, RepoError> {
        let body = self.bodies.body(&delivery.event);
        let at = self.clock.now();
        let timestamp = at.timestamp();
        let id = delivery.event.id.to_string();
        let webhook = &delivery.webhook;
        let mut secrets = vec![self.secret(webhook.webhook.id, &webhook.secret)?];
        if let Some((previous, until)) = &webhook.previous {
            if *until > at {
                secrets.push(self.secret(webhook.webhook.id, previous)?);
            }
        }
        let signatures: Vec<String> = secrets
            .iter()
            .filter_map(|secret| sign(secret, &id, timestamp, &body))
            .collect();
        let headers = [
            ("webhook-id", id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signatures.join(" ")),
        ];
        let started = Instant::now();
        let answer = self.sender.send(&webhook.webhook.url, &headers, body).await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let delivered = answer.status.is_some_and(|s| (200..300).contains(&s));
        let made = usize::try_from(delivery.attempts).unwrap_or(usize::MAX) + 1;
        let next = if delivered {
            DeliveryNext::Delivered
        } else {
            match next_attempt(made, self.clock.now(), answer.retry_after) {
                Some(retry_at) => DeliveryNext::RetryAt(retry_at),
                None => DeliveryNext::Failed,
            }
        };
        let attempt = Attempt {
            at,
            status_code: answer.status,
            latency_ms,
            error: answer.error.or_else(|| {
                (!delivered).then(|| format!("answered {}", answer.status.unwrap_or_default()))
            }),
        };
        Ok(Outcome {
            delivery: delivery.id,
            lease_until: delivery.lease_until,
            attempt,
            next,
        })
    }

    fn secret(
        &self,
        webhook: uuid::Uuid,
        sealed: &SealedSecret,
    ) -> Result<Zeroizing<String>, RepoError> {
        let plain = self
            .cipher
            .open(sealed, &SecretLocation::Webhook(webhook).context())
            .map_err(|e| RepoError::Failure(e.to_string()))?;
        String::from_utf8(plain.to_vec())
            .map(Zeroizing::new)
            .map_err(|e| RepoError::Failure(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;

        let signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body);

        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }
}
