//! Invitations on the wire.

use chrono::{DateTime, Utc};
use domain::invitation::Invitation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Whom an invitation is for, as the client knows them.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Recipient {
    #[schema(
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// An invitation to authorize some categories of a company's journey.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"categories": ["banking"], "recipient": {"name": "Grace Hopper", "email": "grace@example.com"}, "message": "Could you connect the business bank account?", "expiresInHours": 48}))]
pub struct CreateInvitation {
    /// `accounting`, `banking` and/or `commerce`: what the invitee may authorize.
    pub categories: Vec<String>,
    #[serde(default)]
    pub recipient: Recipient,
    /// A personal note, put in the ready email.
    #[schema(
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub message: Option<String>,
    /// How long the invitation lasts: 1 to 720 hours (30 days); 72 when left
    /// out. Made with a company token, no longer than the token has left.
    #[schema(minimum = 1, maximum = 720)]
    pub expires_in_hours: Option<i64>,
    /// Your journey UI's address for this invitation, instead of the link
    /// settings' `invitationUrl`; `{token}` stands for the invitation token.
    /// Without either, the share URL opens the company's hosted journey. With a
    /// company token, only an address on an origin of your CORS settings or of
    /// `invitationUrl` (a 400 names the field otherwise).
    pub journey_url: Option<String>,
    /// Whether Link API emails the invitation to `recipient.email` itself (it needs an SMTP
    /// server, `LINK_SMTP_URL`); `email` in the answer and in `GET …/invitations` then says how
    /// it went. Left out, the link settings' `emailInvitations` decides (for an invitation with
    /// `recipient.email`, on a Link API that sends email); otherwise you send `shareUrl` or
    /// `mailtoUrl` yourself. With a company token, `true` needs `emailInvitations` (403
    /// otherwise), and at most 10 such emails go out per company and 200 per client in a
    /// rolling day (429 past that).
    pub send: Option<bool>,
    /// The language of the email and of `mailtoUrl` (`en`, `fr`, `de`, `es`, `ar`, with a
    /// region or not; the expiry date is said in words, `en-US` month first); the link
    /// settings' `hostedJourney.defaultLocale`, else English, when left out. The journey
    /// sends the language its customer reads.
    #[schema(example = "fr", max_length = 35)]
    pub locale: Option<String>,
}

/// An invitation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationBody {
    pub id: Uuid,
    pub company_id: Uuid,
    pub categories: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `pending`, `opened`, `completed` (every invited category linked), `expired` or `revoked`.
    pub status: &'static str,
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opened_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// The link to hand over. Shown only when the invitation is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_url: Option<String>,
    /// A `mailto:` link with the recipient, a subject and a body holding the
    /// message and the share URL. Shown only when the invitation is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailto_url: Option<String>,
    /// The email Link API sends with it, when asked (`"send": true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<crate::dto::email::EmailBody>,
}

impl InvitationBody {
    pub fn new(invitation: Invitation, now: DateTime<Utc>) -> Self {
        Self {
            id: invitation.id,
            company_id: invitation.company_id.as_uuid(),
            status: invitation.status(now).as_str(),
            categories: invitation.categories,
            recipient_name: invitation.recipient_name,
            recipient_email: invitation.recipient_email,
            message: invitation.message,
            created: invitation.created,
            expires_at: invitation.expires_at,
            opened_at: invitation.opened_at,
            completed_at: invitation.completed_at,
            revoked_at: invitation.revoked_at,
            share_url: None,
            mailto_url: None,
            email: invitation.email.map(Into::into),
        }
    }
}

/// A company's invitations, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitations {
    pub results: Vec<InvitationBody>,
}

/// The token a share URL carries.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExchangeInvitation {
    pub token: String,
}

/// A company token made from an invitation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationAccessToken {
    /// Send it as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Seconds until it expires: a day, or less when the invitation ends sooner.
    pub expires_in: i64,
    pub token_type: &'static str,
    pub company_id: Uuid,
    pub invitation_id: Uuid,
    /// The only categories the token may act on.
    pub categories: Vec<String>,
    /// The name of the company the invitation is for, so the journey can say whose it is.
    pub company_name: String,
    /// The name the invitation gives its recipient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_name: Option<String>,
    /// The inviter's message, as the email carried it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
