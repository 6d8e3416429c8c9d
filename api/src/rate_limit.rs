//! Rate limits: a token bucket per API key, and per company for company
//! tokens, kept in this process. Every authenticated answer carries
//! `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`;
//! a request over the limit gets 429 with `Retry-After`.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use chrono::Utc;
use domain::connection::Actor;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::auth::Caller;
use crate::error::ApiError;

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The buckets of this process.
pub struct RateLimits {
    limiter: Limiter,
    clock: DefaultClock,
    burst: u32,
    /// The time one request's worth of the bucket takes to refill.
    refill: Duration,
}

impl RateLimits {
    /// `None` when `per_minute` is 0 (no limits).
    pub fn new(per_minute: u32, burst: u32) -> Option<Arc<Self>> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        let quota = Quota::per_minute(rate).allow_burst(burst);
        Some(Arc::new(Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
            burst: burst.get(),
            refill: quota.replenish_interval(),
        }))
    }

    /// Forgets buckets that are full again, so memory follows active callers.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }

    fn reset_after(&self, remaining: u32) -> Duration {
        self.refill * self.burst.saturating_sub(remaining)
    }
}

/// The bucket a caller draws from.
fn bucket(caller: &Caller) -> String {
    match (caller.company, caller.actor) {
        (Some(company), _) => format!("company:{company}"),
        (None, Actor::Client(key)) => format!("key:{key}"),
        (None, _) => format!("client:{}", caller.client),
    }
}

fn header(name: &'static str, value: impl ToString) -> (HeaderName, HeaderValue) {
    (
        HeaderName::from_static(name),
        HeaderValue::from_str(&value.to_string()).unwrap_or(HeaderValue::from_static("0")),
    )
}

pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limits = request
        .app_data::<web::Data<Option<Arc<RateLimits>>>>()
        .and_then(|l| l.get_ref().clone());
    let caller = request.extensions().get::<Caller>().copied();
    let (Some(limits), Some(caller)) = (limits, caller) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let now = Utc::now().timestamp();
    let (remaining, reset, refused) = match limits.limiter.check_key(&bucket(&caller)) {
        Ok(state) => {
            let remaining = state.remaining_burst_capacity();
            (remaining, limits.reset_after(remaining), None)
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(limits.clock.now());
            (0, limits.reset_after(0), Some(wait))
        }
    };
    let headers = [
        header("x-rate-limit-limit", limits.burst),
        header("x-rate-limit-remaining", remaining),
        header(
            "x-rate-limit-reset",
            now + i64::try_from(reset.as_secs()).unwrap_or(0) + 1,
        ),
    ];
    let mut response = match refused {
        Some(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            request
                .error_response(ApiError::RateLimited(seconds.max(1)))
                .map_into_boxed_body()
        }
        None => next.call(request).await?.map_into_boxed_body(),
    };
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}
