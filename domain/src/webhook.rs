//! Events and webhook consumers: which consumer wants which event, when a
//! failed delivery is tried again, and which addresses a webhook may reach.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::company::Tags;
use crate::ids::{ClientId, CompanyId};

/// How long after each failed attempt the next one is made, in seconds: the
/// first attempt is immediate, and the last comes about a day later.
pub const RETRY_SCHEDULE_SECS: [i64; 8] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// The longest wait a consumer's `Retry-After` can ask for.
pub const MAX_RETRY_AFTER_SECS: i64 = 86_400;
/// Most consumers per client.
pub const MAX_WEBHOOKS: usize = 50;
/// Most company tags a consumer filters on.
pub const MAX_COMPANY_TAGS: usize = 10;
/// How long a rotated-out signing secret keeps signing beside the new one.
pub const SECRET_GRACE_HOURS: i64 = 24;
/// The type of the event `POST /webhooks/{id}/test` sends.
pub const TEST_EVENT_TYPE: &str = "webhook.test";

/// Every event type Link API emits.
pub const EVENT_TYPES: [&str; 16] = [
    "company.created",
    "company.deleted",
    "connection.created",
    "connection.connected",
    "connection.failed",
    "connection.disconnected",
    "connection.reconnected",
    "connection.deleted",
    "connection.revocation",
    "consent.granted",
    "consent.withdrawn",
    "invitation.created",
    "invitation.opened",
    "invitation.completed",
    "invitation.revoked",
    TEST_EVENT_TYPE,
];

/// Something that happened, as written to the outbox with its change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: Uuid,
    pub client_id: ClientId,
    pub company_id: Option<CompanyId>,
    pub event_type: String,
    pub generated: DateTime<Utc>,
    /// The company's tags as `key:value`, for consumers' filters.
    pub company_tags: Vec<String>,
    /// The JSON of the event's `payload`.
    pub payload: String,
}

/// The `key:value` spelling of a company's tags that consumers filter on.
pub fn tag_list(tags: &Tags) -> Vec<String> {
    tags.as_map()
        .iter()
        .map(|(key, value)| format!("{key}:{value}"))
        .collect()
}

/// A webhook consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: Uuid,
    pub client_id: ClientId,
    pub url: String,
    /// A disabled consumer gets nothing; its pending deliveries wait.
    pub disabled: bool,
    /// The event types it wants; empty for all.
    pub event_types: Vec<String>,
    /// `key:value` tags; when any are set, only events of companies with one of them.
    pub company_tags: Vec<String>,
    pub created: DateTime<Utc>,
}

impl Webhook {
    /// Whether the consumer wants an event of `event_type` from a company with `company_tags`.
    pub fn wants(&self, event_type: &str, company_tags: &[String]) -> bool {
        let type_matches =
            self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type);
        let tag_matches = self.company_tags.is_empty()
            || self.company_tags.iter().any(|t| company_tags.contains(t));
        type_matches && tag_matches
    }
}

/// When to try a delivery again after its `attempts_made`-th attempt failed,
/// or `None` to give up. A `Retry-After` longer than the schedule's wait is
/// honoured, up to [`MAX_RETRY_AFTER_SECS`].
pub fn next_attempt(
    attempts_made: usize,
    now: DateTime<Utc>,
    retry_after_secs: Option<i64>,
) -> Option<DateTime<Utc>> {
    let scheduled = *RETRY_SCHEDULE_SECS.get(attempts_made)?;
    let wait = retry_after_secs.map_or(scheduled, |asked| {
        asked.clamp(0, MAX_RETRY_AFTER_SECS).max(scheduled)
    });
    Some(now + Duration::seconds(wait))
}

/// Whether a webhook may be sent to `ip` when private addresses are not
/// allowed: loopback, private, link-local, unique-local, shared, multicast,
/// documentation and unspecified addresses are refused.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Whether a host name is local by its name alone.
pub fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(types: &[&str], tags: &[&str]) -> Webhook {
        Webhook {
            id: Uuid::new_v4(),
            client_id: ClientId::new(),
            url: "https://hooks.example/in".into(),
            disabled: false,
            event_types: types.iter().map(|t| (*t).to_owned()).collect(),
            company_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            created: Utc::now(),
        }
    }

    #[test]
    fn consumers_filter_by_event_type_and_any_company_tag() {
        let uk = vec!["region:uk".to_owned(), "tier:gold".to_owned()];

        assert!(webhook(&[], &[]).wants("company.created", &[]));
        assert!(webhook(&["company.created"], &[]).wants("company.created", &uk));
        assert!(!webhook(&["company.deleted"], &[]).wants("company.created", &uk));
        assert!(webhook(&[], &["region:us", "tier:gold"]).wants("company.created", &uk));
        assert!(!webhook(&[], &["region:us"]).wants("company.created", &uk));
        assert!(
            !webhook(&[], &["Region:uk"]).wants("company.created", &uk),
            "tags are case-sensitive"
        );
    }

    #[test]
    fn retries_follow_the_schedule_then_give_up() {
        let now = Utc::now();

        assert_eq!(next_attempt(1, now, None), Some(now + Duration::seconds(5)));
        assert_eq!(next_attempt(2, now, None), Some(now + Duration::minutes(5)));
        assert_eq!(next_attempt(7, now, None), Some(now + Duration::hours(10)));
        assert_eq!(next_attempt(8, now, None), None, "eight attempts in all");
        let total: i64 = RETRY_SCHEDULE_SECS.iter().sum();
        assert!((86_400..=130_000).contains(&total), "about a day: {total}");
    }

    #[test]
    fn retry_after_is_honoured_within_bounds() {
        let now = Utc::now();

        assert_eq!(
            next_attempt(1, now, Some(60)),
            Some(now + Duration::seconds(60))
        );
        assert_eq!(
            next_attempt(2, now, Some(1)),
            Some(now + Duration::minutes(5)),
            "never sooner than the schedule"
        );
        assert_eq!(
            next_attempt(1, now, Some(10_000_000)),
            Some(now + Duration::days(1))
        );
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public_ip(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public_ip(public.parse().unwrap()), "{public}");
        }
        assert!(
            is_local_name("localhost")
                && is_local_name("app.localhost.")
                && !is_local_name("example.com")
        );
    }
}
