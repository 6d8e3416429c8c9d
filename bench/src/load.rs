//! The load generator: a fixed number of callers in a closed loop, or a fixed
//! rate of calls in an open loop, for a bounded time, with a latency histogram.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// How load is applied.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// This many callers, each sending its next request as soon as the last is answered.
    Concurrency(usize),
    /// This many requests per second whatever the answers' speed; a request's
    /// latency counts from when it was due, so a slow server cannot hide its queue.
    Rate(u32),
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latencies in microseconds.
    pub latencies: Histogram<u64>,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn millis(&self, quantile: f64) -> f64 {
        self.latencies.value_at_quantile(quantile) as f64 / 1000.0
    }

    pub fn max_millis(&self) -> f64 {
        self.latencies.max() as f64 / 1000.0
    }

    /// Two runs of the same load, as one.
    pub fn merge(mut self, other: Outcome) -> Outcome {
        let _ = self.latencies.add(&other.latencies);
        Outcome {
            requests: self.requests + other.requests,
            errors: self.errors + other.errors,
            elapsed: self.elapsed + other.elapsed,
            latencies: self.latencies,
        }
    }
}

/// Up to 60 s, three significant digits.
#[expect(clippy::expect_used, reason = "constant bounds that are valid")]
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

/// Calls `call(i)` for i = 0, 1, 2, … at `pace` for `duration`; `call`
/// answers whether the request succeeded.
pub async fn drive<F, Fut>(pace: Pace, duration: Duration, call: F) -> Outcome
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(histogram()));
    let started = Instant::now();
    let deadline = started + duration;
    match pace {
        Pace::Concurrency(callers) => {
            let workers: Vec<_> = (0..callers)
                .map(|_| {
                    let (call, next, errors) = (call.clone(), next.clone(), errors.clone());
                    tokio::spawn(async move {
                        let mut own = histogram();
                        while Instant::now() < deadline {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let sent = Instant::now();
                            if !call(i).await {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                            let _ = own.record(sent.elapsed().as_micros().max(1) as u64);
                        }
                        own
                    })
                })
                .collect();
            for worker in workers {
                if let Ok(own) = worker.await {
                    if let Ok(mut all) = latencies.lock() {
                        let _ = all.add(own);
                    }
                }
            }
        }
        Pace::Rate(per_second) => {
            let period = Duration::from_secs_f64(1.0 / f64::from(per_second.max(1)));
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut pending = Vec::new();
            loop {
                let due = ticks.tick().await.into_std();
                if due >= deadline {
                    break;
                }
                let (call, next, errors, latencies) = (
                    call.clone(),
                    next.clone(),
                    errors.clone(),
                    latencies.clone(),
                );
                pending.push(tokio::spawn(async move {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if !call(i).await {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Ok(mut all) = latencies.lock() {
                        let _ = all.record(due.elapsed().as_micros().max(1) as u64);
                    }
                }));
            }
            for request in pending {
                let _ = request.await;
            }
        }
    }
    let latencies = latencies
        .lock()
        .map(|h| h.clone())
        .unwrap_or_else(|_| histogram());
    Outcome {
        requests: latencies.len(),
        errors: errors.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        latencies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_loop_counts_every_call_and_its_failures() {
        let outcome = drive(
            Pace::Concurrency(4),
            Duration::from_millis(200),
            |i| async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                i % 10 != 0
            },
        )
        .await;

        assert!(outcome.requests > 20, "{outcome:?}");
        assert!(
            outcome.errors >= outcome.requests / 10 - 4
                && outcome.errors <= outcome.requests / 10 + 4
        );
        assert!(outcome.millis(0.5) >= 5.0);
    }

    #[tokio::test]
    async fn two_runs_merge_into_one() {
        let run = || {
            drive(
                Pace::Concurrency(2),
                Duration::from_millis(50),
                |i| async move { i % 2 == 0 },
            )
        };
        let (first, second) = (run().await, run().await);
        let (requests, errors) = (
            first.requests + second.requests,
            first.errors + second.errors,
        );
        let elapsed = first.elapsed + second.elapsed;

        let merged = first.merge(second);

        assert_eq!(merged.requests, requests);
        assert_eq!(merged.errors, errors);
        assert_eq!(merged.elapsed, elapsed);
        assert_eq!(merged.latencies.len(), requests);
    }

    #[tokio::test]
    async fn an_open_loop_keeps_its_rate() {
        let outcome = drive(Pace::Rate(200), Duration::from_millis(500), |_| async {
            true
        })
        .await;

        // Missed ticks are caught up, so only a starved machine sends fewer.
        assert!(
            (60..=101).contains(&outcome.requests),
            "{}",
            outcome.requests
        );
        assert_eq!(outcome.errors, 0);
    }
}
