//! Events and webhook consumers: which consumer wants which event, when a
//! failed delivery is tried again, and which addresses a webhook may reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
pub const EVENT_TYPES: [&str; 18] = [
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
    "invitation.expiring",
    "journey.reminder",
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
    /// The correlation id of the API call that caused it; `None` for what
    /// Link API did on its own (a refresh, a revocation, a housekeeping task).
    pub correlation_id: Option<String>,
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
/// documentation, benchmarking, reserved and unspecified addresses are
/// refused. An IPv6 address that carries an IPv4 one (IPv4-compatible,
/// IPv4-mapped, NAT64, 6to4, Teredo) is judged by the address it carries,
/// since that is where a relay would deliver it.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(Embedded::V4(v4)) => is_public_v4(v4),
            Some(Embedded::Opaque) => false,
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, and the former 6to4 relay anycast block.
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 88 && c == 99)
        // Benchmarking.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved for future use (240.0.0.0/4).
        || a >= 240)
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    !(v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        // Unique local, link-local and the deprecated site-local blocks.
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // Documentation, benchmarking, and ORCHID identifiers.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x2001 && s[1] == 0x0002 && s[2] == 0)
        || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0010)
        || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0020)
        // Discard-only.
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0))
}

/// What an IPv6 address that stands for an IPv4 one carries.
enum Embedded {
    V4(Ipv4Addr),
    /// A form whose IPv4 address cannot be told (local-use NAT64 with any prefix length).
    Opaque,
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Embedded> {
    let s = v6.segments();
    let low = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if v6.is_loopback() || v6.is_unspecified() {
        return None;
    }
    match s {
        // IPv4-compatible (::a.b.c.d, deprecated) and IPv4-mapped (::ffff:a.b.c.d).
        [0, 0, 0, 0, 0, 0 | 0xffff, hi, lo] => Some(Embedded::V4(low(hi, lo))),
        // The NAT64 well-known prefix 64:ff9b::/96.
        [0x0064, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(Embedded::V4(low(hi, lo))),
        // Local-use NAT64 (64:ff9b:1::/48): the prefix length, and so the place of the address, is the operator's.
        [0x0064, 0xff9b, 0x0001, ..] => Some(Embedded::Opaque),
        // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
        [0x2002, hi, lo, ..] => Some(Embedded::V4(low(hi, lo))),
        // Teredo (2001:0::/32): the client's address is the last 32 bits, inverted.
        [0x2001, 0, _, _, _, _, hi, lo] => Some(Embedded::V4(low(!hi, !lo))),
        _ => None,
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
            "::127.0.0.1",
            "::7f00:1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::808:808",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101::1",
            // Teredo with the client 127.0.0.1 (inverted: 80ff:fffe).
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "192.0.0.1",
            "192.88.99.1",
            "240.0.0.1",
            "255.255.255.254",
            "198.18.0.1",
            "100::1",
            "fec0::1",
        ] {
            assert!(!is_public_ip(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            // Teredo with the client 8.8.8.8 (inverted: f7f7:f7f7).
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
        ] {
            assert!(is_public_ip(public.parse().unwrap()), "{public}");
        }
        assert!(
            is_local_name("localhost")
                && is_local_name("app.localhost.")
                && !is_local_name("example.com")
        );
    }
}
