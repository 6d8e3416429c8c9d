//! Webhook dispatch: a burst of events written in bulk, delivered by the
//! server's dispatcher to a receiver on loopback that checks every signature,
//! beside a plain loop that signs and posts the same number of bodies.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use app::webhooks::sign;
use hdrhistogram::Histogram;
use sqlx::Connection;

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    bad_signatures: u64,
    duplicates: u64,
    /// Microseconds from the burst's start to each first arrival.
    lags: Vec<u64>,
}

struct Receiver {
    secret: Mutex<String>,
    seen: Mutex<Seen>,
    started: Mutex<Instant>,
}

async fn receive(
    state: web::Data<Receiver>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let body = String::from_utf8_lossy(&body);
    let secret = state.secret.lock().map(|s| s.clone()).unwrap_or_default();
    let expected = timestamp
        .parse::<i64>()
        .ok()
        .and_then(|t| sign(&secret, &id, t, &body));
    let valid = expected.is_some_and(|e| header("webhook-signature").split(' ').any(|s| s == e));
    let lag = state
        .started
        .lock()
        .map(|s| s.elapsed())
        .unwrap_or_default();
    if let Ok(mut seen) = state.seen.lock() {
        if !valid {
            seen.bad_signatures += 1;
        } else if seen.ids.insert(id) {
            seen.lags.push(lag.as_micros() as u64);
        } else {
            seen.duplicates += 1;
        }
    }
    HttpResponse::NoContent().finish()
}

/// A receiver on loopback; returns its URL and state.
fn start_receiver() -> Result<(String, web::Data<Receiver>), String> {
    let state = web::Data::new(Receiver {
        secret: Mutex::new(String::new()),
        seen: Mutex::new(Seen::default()),
        started: Mutex::new(Instant::now()),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let shared = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(shared.clone())
            .route("/hook", web::post().to(receive))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    tokio::spawn(server);
    Ok((format!("http://127.0.0.1:{port}/hook"), state))
}

/// How a burst went.
pub struct Burst {
    pub events: u64,
    pub elapsed: Duration,
    pub lost: u64,
    pub bad: u64,
    pub latencies: Histogram<u64>,
    /// The plain signed-POST loop's deliveries per second.
    pub plain_per_second: f64,
}

fn reset(state: &Receiver, secret: &str) {
    if let Ok(mut s) = state.secret.lock() {
        *s = secret.to_owned();
    }
    if let Ok(mut seen) = state.seen.lock() {
        *seen = Seen::default();
    }
    if let Ok(mut started) = state.started.lock() {
        *started = Instant::now();
    }
}

fn delivered(state: &Receiver) -> u64 {
    state.seen.lock().map_or(0, |s| s.ids.len() as u64)
}

/// Sends a burst of `events` through the dispatcher of the server at `base`
/// (which must be dispatching), then the same number through a plain loop.
pub async fn burst(
    http: &reqwest::Client,
    base: &str,
    api_key: &str,
    database_url: &str,
    events: u64,
    concurrency: usize,
) -> Result<Burst, String> {
    let (url, state) = start_receiver()?;
    let created: serde_json::Value = http
        .post(format!("{base}/webhooks"))
        .basic_auth(api_key, Option::<&str>::None)
        .json(&serde_json::json!({"url": url, "eventTypes": ["invitation.created"]}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let secret = created["secret"]
        .as_str()
        .ok_or("no webhook secret")?
        .to_owned();
    reset(&state, &secret);
    let mut db = sqlx::PgConnection::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query(
        "INSERT INTO events (id, client_id, company_id, event_type, generated_at, company_tags, payload, fanned_out) \
         SELECT gen_random_uuid(), (SELECT id FROM clients LIMIT 1), NULL, 'invitation.created', now(), '[]'::jsonb, \
                '{\"invitation\": {\"status\": \"pending\"}, \"n\": ' || g || '}', false \
         FROM generate_series(1, $1) g",
    )
    .bind(i64::try_from(events).map_err(|e| e.to_string())?)
    .execute(&mut db)
    .await
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(300);
    while delivered(&state) < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let (lost, bad, latencies) = {
        let seen = state.seen.lock().map_err(|e| e.to_string())?;
        let mut latencies = Histogram::<u64>::new(3).map_err(|e| e.to_string())?;
        for lag in &seen.lags {
            let _ = latencies.record(*lag);
        }
        (
            events.saturating_sub(seen.ids.len() as u64),
            seen.bad_signatures + seen.duplicates,
            latencies,
        )
    };

    // The same number of signed bodies, posted by a plain loop at the dispatcher's batch size.
    reset(&state, &secret);
    let plain_started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let senders: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, url, secret, next) =
                (http.clone(), url.clone(), secret.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= events {
                        break;
                    }
                    let id = format!("plain-{n}");
                    let body =
                        format!("{{\"id\": \"{id}\", \"eventType\": \"invitation.created\"}}");
                    let timestamp = chrono::Utc::now().timestamp();
                    let signature = sign(&secret, &id, timestamp, &body).unwrap_or_default();
                    let _ = http
                        .post(&url)
                        .header("webhook-id", &id)
                        .header("webhook-timestamp", timestamp.to_string())
                        .header("webhook-signature", signature)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                }
            })
        })
        .collect();
    for sender in senders {
        let _ = sender.await;
    }
    let plain_per_second = delivered(&state) as f64 / plain_started.elapsed().as_secs_f64();
    Ok(Burst {
        events,
        elapsed,
        lost,
        bad,
        latencies,
        plain_per_second,
    })
}
