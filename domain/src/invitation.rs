//! Invitations: a signed, expiring, revocable link that hands one company's
//! journey, limited to some categories, to someone else.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::ids::{ClientId, CompanyId};

/// How long an invitation lasts when the client does not say.
pub const DEFAULT_HOURS: i64 = 72;
/// The longest an invitation may last: 30 days.
pub const MAX_HOURS: i64 = 720;
/// Longest personal message.
pub const MAX_MESSAGE_LEN: usize = 1000;

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Issued, not opened yet.
    Pending,
    /// Exchanged for a company token at least once.
    Opened,
    /// Every invited category got a linked connection.
    Completed,
    /// Past its expiry before it was completed.
    Expired,
    /// Revoked by the client.
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Opened => "opened",
            Self::Completed => "completed",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// A stored invitation. The token itself is never stored: it is signed, and
/// names the invitation by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: Uuid,
    pub client_id: ClientId,
    pub company_id: CompanyId,
    /// The categories the invitee may authorize, in journey order.
    pub categories: Vec<String>,
    pub recipient_name: Option<String>,
    pub recipient_email: Option<String>,
    pub message: Option<String>,
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The email Link API sends with it, when it was asked to.
    pub email: Option<crate::email::EmailDelivery>,
}

impl Invitation {
    /// The status at `now`. A revocation wins over everything; a completed
    /// invitation stays completed after its expiry.
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.completed_at.is_some() {
            InvitationStatus::Completed
        } else if now >= self.expires_at {
            InvitationStatus::Expired
        } else if self.opened_at.is_some() {
            InvitationStatus::Opened
        } else {
            InvitationStatus::Pending
        }
    }

    /// Whether the invitation can still be opened and used at `now`.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// The expiry of an invitation made at `now` lasting `hours` (the default
/// when `None`); `None` when `hours` is outside 1 to [`MAX_HOURS`].
pub fn expiry(now: DateTime<Utc>, hours: Option<i64>) -> Option<DateTime<Utc>> {
    let hours = hours.unwrap_or(DEFAULT_HOURS);
    (1..=MAX_HOURS)
        .contains(&hours)
        .then(|| now + Duration::hours(hours))
}

/// The expiry of an invitation made at `now` lasting `hours`, by someone
/// whose own access ends at `bound` (a company token's expiry; `None` for an
/// API key). An invitation never outlives its maker's access: asked for
/// longer, it is an error naming the most hours allowed; left to the
/// default, it ends with the maker's access if that comes sooner.
pub fn bounded_expiry(
    now: DateTime<Utc>,
    hours: Option<i64>,
    bound: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, crate::FieldError> {
    let expires_at = expiry(now, hours).ok_or_else(|| {
        crate::FieldError::new(
            "expiresInHours",
            "Range",
            format!("expiresInHours is between 1 and {MAX_HOURS} (30 days)."),
        )
    })?;
    match bound {
        Some(bound) if expires_at > bound && hours.is_none() => Ok(bound),
        Some(bound) if expires_at > bound => Err(crate::FieldError::new(
            "expiresInHours",
            "TokenLifetime",
            format!(
                "An invitation made with a company token cannot outlast the token, which expires at {} UTC: \
                 expiresInHours is at most {} here.",
                bound.format("%Y-%m-%d %H:%M"),
                (bound - now).num_hours()
            ),
        )),
        _ => Ok(expires_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_never_outlives_the_token_that_made_it() {
        let now = Utc::now();
        let bound = now + Duration::hours(24);

        assert_eq!(
            bounded_expiry(now, None, None),
            Ok(now + Duration::hours(DEFAULT_HOURS))
        );
        assert_eq!(
            bounded_expiry(now, Some(720), None),
            Ok(now + Duration::hours(720))
        );
        assert_eq!(
            bounded_expiry(now, None, Some(bound)),
            Ok(bound),
            "the default is shortened"
        );
        assert_eq!(bounded_expiry(now, Some(24), Some(bound)), Ok(bound));
        assert_eq!(
            bounded_expiry(now, Some(2), Some(bound)),
            Ok(now + Duration::hours(2))
        );
        let refused = bounded_expiry(now, Some(720), Some(bound)).unwrap_err();
        assert_eq!(
            (refused.field.as_str(), refused.rule),
            ("expiresInHours", "TokenLifetime")
        );
        assert!(
            refused.message.contains("at most 24"),
            "{}",
            refused.message
        );
        assert_eq!(
            bounded_expiry(now, Some(0), Some(bound)).unwrap_err().rule,
            "Range"
        );
    }

    fn invitation(now: DateTime<Utc>) -> Invitation {
        Invitation {
            id: Uuid::new_v4(),
            client_id: ClientId::new(),
            company_id: CompanyId::new(),
            categories: vec!["banking".into()],
            recipient_name: None,
            recipient_email: None,
            message: None,
            created: now,
            expires_at: now + Duration::hours(1),
            opened_at: None,
            completed_at: None,
            revoked_at: None,
            email: None,
        }
    }

    #[test]
    fn the_status_moves_from_pending_to_an_end() {
        let now = Utc::now();
        let later = now + Duration::hours(2);
        let mut it = invitation(now);
        assert_eq!(it.status(now), InvitationStatus::Pending);
        assert_eq!(it.status(later), InvitationStatus::Expired);
        it.opened_at = Some(now);
        assert_eq!(it.status(now), InvitationStatus::Opened);
        it.completed_at = Some(now);
        assert_eq!(
            it.status(later),
            InvitationStatus::Completed,
            "completion outlives expiry"
        );
        it.revoked_at = Some(now);
        assert_eq!(it.status(now), InvitationStatus::Revoked);
        assert!(!it.usable(now));
    }

    #[test]
    fn expiry_defaults_to_three_days_and_is_capped() {
        let now = Utc::now();
        assert_eq!(expiry(now, None), Some(now + Duration::hours(72)));
        assert_eq!(expiry(now, Some(MAX_HOURS)), Some(now + Duration::days(30)));
        assert_eq!(expiry(now, Some(MAX_HOURS + 1)), None);
        assert_eq!(expiry(now, Some(0)), None);
    }
}
