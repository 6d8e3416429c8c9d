//! Rate limits, kept in this process: a token bucket per API key, per
//! company for company tokens (per company and address for the bare company
//! id's tokens), and per client address on the public paths
//! (the journey pages, the Sandbox provider and the invitation exchange).
//! Every authenticated answer carries `X-Rate-Limit-Limit`,
//! `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`; a request over a
//! limit gets 429 with `Retry-After`. Failed authentications are counted per
//! address too: past their allowance, every request from that address but
//! the health checks is refused until it refills, so keys and tokens cannot
//! be guessed at speed.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use chrono::Utc;
use domain::connection::Actor;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use ipnet::IpNet;

use crate::auth::Caller;
use crate::client_address::{bucket_of, ClientAddress};
use crate::error::ApiError;
use crate::state::AppState;

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

type FailureLimiter =
    RateLimiter<IpNet, DefaultKeyedStateStore<IpNet>, DefaultClock, StateInformationMiddleware>;

/// The buckets of this process.
pub struct RateLimits {
    limiter: Limiter,
    /// Failed authentications, per address.
    failures: FailureLimiter,
    /// Addresses whose failures are used up, and until when.
    refused: Mutex<HashMap<IpNet, Instant>>,
    clock: DefaultClock,
    burst: u32,
    /// The time one request's worth of the bucket takes to refill.
    refill: Duration,
    /// The time one failure's worth of an address's allowance takes to refill.
    failure_refill: Duration,
}

impl RateLimits {
    /// `None` when `per_minute` is 0 (no limits).
    pub fn new(per_minute: u32, burst: u32, failures_per_minute: u32) -> Option<Arc<Self>> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        let quota = Quota::per_minute(rate).allow_burst(burst);
        let failures =
            Quota::per_minute(NonZeroU32::new(failures_per_minute).unwrap_or(NonZeroU32::MIN));
        Some(Arc::new(Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            failures: RateLimiter::keyed(failures).with_middleware::<StateInformationMiddleware>(),
            refused: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
            burst: burst.get(),
            refill: quota.replenish_interval(),
            failure_refill: failures.replenish_interval(),
        }))
    }

    /// Forgets buckets that are full again, so memory follows active callers.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.failures.retain_recent();
        let now = Instant::now();
        if let Ok(mut refused) = self.refused.lock() {
            refused.retain(|_, until| *until > now);
        }
    }

    /// How long `address` is still refused for its failed authentications.
    fn refused_for(&self, address: IpNet) -> Option<Duration> {
        let now = Instant::now();
        let refused = self.refused.lock().ok()?;
        refused
            .get(&address)
            .and_then(|until| until.checked_duration_since(now))
    }

    /// Counts a failed authentication from `address`; once the allowance is
    /// used up, the address is refused until one failure's worth has refilled.
    fn note_failure(&self, address: IpNet) {
        let wait = match self.failures.check_key(&address) {
            Ok(state) if state.remaining_burst_capacity() > 0 => return,
            Ok(_) => self.failure_refill,
            Err(not_until) => not_until.wait_time_from(self.clock.now()),
        };
        if let Ok(mut refused) = self.refused.lock() {
            refused.insert(address, Instant::now() + wait);
        }
    }

    fn reset_after(&self, remaining: u32) -> Duration {
        self.refill * self.burst.saturating_sub(remaining)
    }
}

/// The bucket a caller draws from. A token got with the bare company id
/// proves nothing of who holds it, so each address has a bucket of its own:
/// a stranger who learns the id cannot use up the customer's.
fn bucket(caller: &Caller, address: Option<IpNet>) -> String {
    match (caller.company, caller.actor) {
        (Some(company), _) if !caller.proves_customer() => match address {
            Some(address) => format!("journey:{company}:{address}"),
            None => format!("journey:{company}"),
        },
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
    let address = request
        .extensions()
        .get::<ClientAddress>()
        .map(|a| bucket_of(a.0));
    let (remaining, reset, refused) = match limits.limiter.check_key(&bucket(&caller, address)) {
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
        Some(wait) => refuse(request, wait, "this API key or company"),
        None => next.call(request).await?.map_into_boxed_body(),
    };
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

/// The 429 of a used-up limit, with `Retry-After` in whole seconds.
fn refuse(
    request: ServiceRequest,
    wait: Duration,
    limit: &'static str,
) -> ServiceResponse<BoxBody> {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    request
        .error_response(ApiError::rate_limited(seconds.max(1), limit))
        .map_into_boxed_body()
}

/// The health checks a load balancer polls: never limited, nor locked out.
fn is_health_check(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz")
}

/// Whether a path draws from its caller's address bucket: the public paths,
/// but not the health checks.
fn limited_by_address(path: &str) -> bool {
    crate::auth::is_public(path) && !is_health_check(path)
}

/// Middleware, before authentication: finds the client's address (see
/// [`crate::client_address`]) for everything after it, refuses an address
/// whose failed authentications are used up, applies the address bucket to
/// public paths, and counts the answer if it is a 401.
pub async fn by_address(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let address = request.app_data::<web::Data<AppState>>().and_then(|state| {
        state
            .trusted_proxies
            .client_ip(request.peer_addr().map(|peer| peer.ip()), request.headers())
    });
    if let Some(address) = address {
        request.extensions_mut().insert(ClientAddress(address));
    }
    let limits = request
        .app_data::<web::Data<Option<Arc<RateLimits>>>>()
        .and_then(|l| l.get_ref().clone());
    let (Some(limits), Some(address)) = (limits, address.map(bucket_of)) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    if let Some(wait) = limits
        .refused_for(address)
        .filter(|_| !is_health_check(request.path()))
    {
        return Ok(refuse(
            request,
            wait,
            "failed authentications from this address",
        ));
    }
    if limited_by_address(request.path()) {
        if let Err(not_until) = limits.limiter.check_key(&format!("address:{address}")) {
            let wait = not_until.wait_time_from(limits.clock.now());
            return Ok(refuse(request, wait, "this address"));
        }
    }
    let response = next.call(request).await?.map_into_boxed_body();
    if response.status() == StatusCode::UNAUTHORIZED {
        limits.note_failure(address);
    }
    Ok(response)
}
