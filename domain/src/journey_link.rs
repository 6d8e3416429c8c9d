//! Signed journey links: a one-time, expiring, revocable address of a
//! company's hosted journey, for clients that do not want the bare company
//! URL to open it. The first opening uses the link up; the browser that
//! opened it may come back (after the provider, or on a reload) for a while.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::ids::{ClientId, CompanyId};

/// How long a link lasts unopened when the client does not say.
pub const DEFAULT_MINUTES: i64 = 1440;
/// The longest a link may last unopened: a week.
pub const MAX_MINUTES: i64 = 10_080;
/// How long the browser that opened a link may come back to the journey.
pub const SESSION_HOURS: i64 = 24;

/// A journey link as stored (its token only as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyLink {
    pub id: Uuid,
    pub client_id: ClientId,
    pub company_id: CompanyId,
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl JourneyLink {
    /// Whether the link would open the journey now: never opened, not revoked, not expired.
    pub fn unopened(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }

    /// Whether the link is `company`'s and its session still open: what a
    /// browser's cookie and a page's token of the link both need.
    pub fn session_open_for(&self, company: CompanyId, now: DateTime<Utc>) -> bool {
        self.company_id == company && self.session_open(now)
    }

    /// Whether the browser that opened the link may still come back to the journey.
    pub fn session_open(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none()
            && self
                .used_at
                .is_some_and(|used| now < used + Duration::hours(SESSION_HOURS))
    }
}

/// What opening a link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkUse {
    /// First opening within its lifetime: now used up.
    Opened(JourneyLink),
    /// Opened before.
    AlreadyUsed(JourneyLink),
    /// Past its lifetime, or revoked.
    Ended(JourneyLink),
    Unknown,
}

/// The expiry of a link made at `now` lasting `minutes` (the default when
/// `None`); `None` when `minutes` is outside 1 to [`MAX_MINUTES`].
pub fn expiry(now: DateTime<Utc>, minutes: Option<i64>) -> Option<DateTime<Utc>> {
    let minutes = minutes.unwrap_or(DEFAULT_MINUTES);
    (1..=MAX_MINUTES)
        .contains(&minutes)
        .then(|| now + Duration::minutes(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lasts_a_day_from_the_first_opening_unless_revoked() {
        let now = Utc::now();
        let link = JourneyLink {
            id: Uuid::new_v4(),
            client_id: ClientId::new(),
            company_id: CompanyId::new(),
            created: now,
            expires_at: now + Duration::hours(1),
            used_at: None,
            revoked_at: None,
        };
        let opened = JourneyLink {
            used_at: Some(now),
            ..link.clone()
        };

        assert!(!link.session_open(now), "not opened yet");
        assert!(opened.session_open(now + Duration::hours(23)));
        assert!(!opened.session_open(now + Duration::hours(25)));
        assert!(!JourneyLink {
            revoked_at: Some(now),
            ..opened
        }
        .session_open(now));
        assert_eq!(
            expiry(now, None),
            Some(now + Duration::minutes(DEFAULT_MINUTES))
        );
        assert_eq!(expiry(now, Some(0)), None);
        assert_eq!(expiry(now, Some(MAX_MINUTES + 1)), None);
    }
}
