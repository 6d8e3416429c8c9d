//! Invitations, applied: making one for a company (its signed token, the share
//! URL and a ready `mailto:` link) and, when asked, its email, written to the
//! outbox in the same transaction. No HTTP here: the route calls it.

use chrono::{DateTime, SubsecRound, Utc};
use domain::email::{EmailDelivery, EmailStatus, OutgoingEmail};
use domain::ids::{ClientId, CompanyId};
use domain::invitation::{self, Invitation, MAX_MESSAGE_LEN};
use domain::link_settings::{categories_error, normalize_categories, CategorySet};
use domain::ports::RepoError;
use domain::validation::{char_len, is_http_url};
use domain::{FieldError, ValidationErrors};
use uuid::Uuid;

use crate::company_token::{Claims, INVITATION_AUDIENCE};
use app::email_text::InvitationEmail;

use crate::mailer::Mailer;
use crate::state::AppState;
use crate::web_origin::web_origin;

/// What the caller asks for.
pub struct InvitationRequest {
    pub categories: Vec<String>,
    pub recipient_name: Option<String>,
    pub recipient_email: Option<String>,
    pub message: Option<String>,
    pub expires_in_hours: Option<i64>,
    pub journey_url: Option<String>,
    /// Whether Link API emails it; `None` for the client's default.
    pub send: Option<bool>,
    pub locale: Option<String>,
}

/// Who invites: a client, for one of its companies, and with a company token
/// that token's limits.
pub struct Inviter {
    pub client: ClientId,
    pub company: CompanyId,
    /// When the caller's company token expires; `None` with an API key.
    pub token_expiry: Option<DateTime<Utc>>,
    /// The categories the caller may act on; `None` for all.
    pub categories: Option<CategorySet>,
    /// Whether the journey asks (a company token), not the client's back end
    /// (an API key): it may point the share URL only at an origin the client
    /// allows, and have it emailed only when the client opted in, within a daily cap.
    pub by_journey: bool,
}

/// An invitation just made, with what is shown only now.
pub struct MadeInvitation {
    pub invitation: Invitation,
    pub share_url: String,
    pub mailto_url: String,
    /// The time it was made at, as stored.
    pub now: DateTime<Utc>,
}

/// Why no invitation was made.
#[derive(Debug)]
pub enum InvitationError {
    Invalid(ValidationErrors),
    /// The caller may not act on this category.
    NotCovered(String),
    /// The journey asked for what only the client's back end may do.
    NotAllowed(&'static str),
    Store(RepoError),
    Internal(String),
}

impl From<RepoError> for InvitationError {
    fn from(error: RepoError) -> Self {
        Self::Store(error)
    }
}

/// Makes an invitation: checks the request whole (every wrong field named at
/// once), signs its token, and stores it with its email when asked to send.
pub async fn create(
    state: &AppState,
    inviter: &Inviter,
    request: InvitationRequest,
) -> Result<MadeInvitation, InvitationError> {
    let store = state.store.as_ref();
    // Stored times keep microseconds; the answer says what a later read will.
    let now = Utc::now().trunc_subsecs(6);
    let mut errors = ValidationErrors::default();
    let categories = normalize_categories(&request.categories).unwrap_or_else(|| {
        errors.push(categories_error());
        Vec::new()
    });
    let recipient_name = errors.optional_text("recipient.name", request.recipient_name, 200);
    let email_given = request.recipient_email.is_some();
    let recipient_email = errors.optional_email("recipient.email", request.recipient_email);
    let message = errors.optional_text("message", request.message, MAX_MESSAGE_LEN);
    let expires_at = errors
        .collect(invitation::bounded_expiry(
            now,
            request.expires_in_hours,
            inviter.token_expiry,
        ))
        .unwrap_or(now);
    let settings = crate::client_settings::link_settings(store, inviter.client).await?;
    let asked_url = request.journey_url.is_some();
    // Without a journey UI of the client's own, invitations open the hosted journey.
    let journey_url = request
        .journey_url
        .or(settings.invitation_url.clone())
        .unwrap_or_else(|| format!("{}/link/company/{}", state.public_url, inviter.company));
    if !is_http_url(&journey_url) || char_len(&journey_url) > 2000 {
        errors.push(FieldError::new(
            "journeyUrl",
            "Url",
            "journeyUrl must be an http:// or https:// URL.",
        ));
    } else if asked_url
        && inviter.by_journey
        && !journey_url_allowed(state, inviter.client, &settings, &journey_url).await?
    {
        errors.push(FieldError::new(
            "journeyUrl",
            "AllowedOrigin",
            "With a company token, journeyUrl must be on an origin of the client's CORS settings \
             (POST /corsSettings) or of the link settings' invitationUrl.",
        ));
    }
    if inviter.by_journey && request.send == Some(true) && !settings.email_invitations {
        return Err(InvitationError::NotAllowed(
            "This client does not let the journey have Link API email invitations \
             (emailInvitations in the link settings); send shareUrl or mailtoUrl instead.",
        ));
    }
    // The client's default applies where it can: an invitation without an
    // address, or a service without SMTP, is simply not emailed.
    let send = request.send.unwrap_or(
        settings.email_invitations && state.mailer.is_some() && recipient_email.is_some(),
    );
    let delivery = if send {
        email_delivery(
            state.mailer.as_ref(),
            &mut errors,
            (recipient_email.as_deref(), email_given),
            recipient_name.as_deref(),
        )
    } else {
        None
    };
    if request
        .locale
        .as_deref()
        .is_some_and(|l| !domain::locale::is_locale_tag(l))
    {
        errors.push(FieldError::new(
            "locale",
            "Locale",
            "locale is a locale such as en or fr-CA.",
        ));
    }
    // The email and the mailto: address speak the language asked for, else the client's default.
    let locale = request
        .locale
        .or(settings.hosted.default_locale.clone())
        .unwrap_or_else(|| "en".into());
    if !errors.is_empty() {
        return Err(InvitationError::Invalid(errors));
    }
    if let Some(category) = categories.iter().find(|c| {
        inviter
            .categories
            .is_some_and(|allowed| !allowed.contains(c))
    }) {
        return Err(InvitationError::NotCovered(category.clone()));
    }
    let mut invitation = Invitation {
        id: Uuid::now_v7(),
        client_id: inviter.client,
        company_id: inviter.company,
        categories,
        recipient_name,
        recipient_email,
        message,
        created: now,
        expires_at,
        opened_at: None,
        completed_at: None,
        revoked_at: None,
        email: None,
    };
    let token = state
        .invitation_tokens
        .sign(&Claims {
            aud: INVITATION_AUDIENCE.into(),
            exp: expires_at.timestamp(),
            jti: invitation.id,
            cat: Some(invitation.categories.clone()),
            ..Claims::new(inviter.client, inviter.company)
        })
        .map_err(|e| InvitationError::Internal(e.to_string()))?;
    let share = share_url(&journey_url, &token);
    let profile = app::clients::profile(store, inviter.client).await?;
    let wording = InvitationEmail {
        recipient_name: invitation.recipient_name.as_deref(),
        client: &profile.name,
        logo_url: profile.logo_url.as_deref(),
        locale: &locale,
        categories: &invitation.categories,
        note: invitation.message.as_deref(),
        share_url: &share,
        expires_at,
    };
    let mailto_url =
        app::email_text::invitation_mailto(&wording, invitation.recipient_email.as_deref());
    let email = match delivery {
        Some((mailer, to)) => {
            let message = app::emails::Formatter::format(
                mailer,
                &profile.name,
                to.as_ref(),
                &app::email_text::invitation(&wording),
            )
            .map_err(InvitationError::Internal)?;
            invitation.email = Some(EmailDelivery {
                status: EmailStatus::Pending,
                attempts: 0,
                last_answer: None,
                sent_at: None,
                next_attempt_at: Some(now),
            });
            Some(OutgoingEmail {
                id: Uuid::now_v7(),
                client_id: inviter.client,
                company_id: inviter.company,
                invitation_id: Some(invitation.id),
                recipient: to.to_string(),
                message: state
                    .cipher
                    .seal(&message, app::emails::SEAL_CONTEXT)
                    .map_err(|e| InvitationError::Internal(e.to_string()))?,
                created: now,
                by_journey: inviter.by_journey,
            })
        }
        None => None,
    };
    store.create_invitation(&invitation, email.as_ref()).await?;
    Ok(MadeInvitation {
        invitation,
        share_url: share,
        mailto_url,
        now,
    })
}

/// Whether the journey may point a share URL at `url`: its origin is one of
/// the client's CORS settings, the origin of the link settings'
/// `invitationUrl`, or Link API's own.
async fn journey_url_allowed(
    state: &AppState,
    client: ClientId,
    settings: &domain::link_settings::LinkSettings,
    url: &str,
) -> Result<bool, RepoError> {
    let Some(origin) = web_origin(url) else {
        return Ok(false);
    };
    let invitation_origin = settings.invitation_url.as_deref().and_then(web_origin);
    Ok(invitation_origin.as_deref() == Some(origin.as_str())
        || crate::auth::origin_allowed(state, client, &origin).await?)
}

/// Checks what sending an invitation by email needs: an SMTP server, one
/// recipient address (`given`: one was asked for, valid or not), a name on
/// one line and a known locale form. Returns the
/// mailer, the recipient and the locale asked for.
fn email_delivery<'a>(
    mailer: Option<&'a Mailer>,
    errors: &mut ValidationErrors,
    (email, given): (Option<&str>, bool),
    name: Option<&str>,
) -> Option<(&'a Mailer, lettre::Address)> {
    if mailer.is_none() {
        errors.push(FieldError::new(
            "send",
            "NotConfigured",
            "This Link API sends no email: set LINK_SMTP_URL and LINK_SMTP_FROM, or send shareUrl yourself.",
        ));
    }
    let to = match email.map(str::parse::<lettre::Address>) {
        Some(Ok(address)) => Some(address),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "recipient.email",
                "Email",
                "recipient.email is not one email address.",
            ));
            None
        }
        // A given address that is not one was reported already.
        None if given => None,
        None => {
            errors.push(FieldError::new(
                "recipient.email",
                "Required",
                "recipient.email is required to send the invitation.",
            ));
            None
        }
    };
    if name.is_some_and(|n| n.contains(['\r', '\n'])) {
        errors.push(FieldError::new(
            "recipient.name",
            "SingleLine",
            "recipient.name is one line when the invitation is emailed.",
        ));
    }
    Some((mailer?, to?))
}

/// The share URL: the journey UI's address with the token in it.
fn share_url(journey_url: &str, token: &str) -> String {
    if journey_url.contains("{token}") {
        return journey_url.replace("{token}", token);
    }
    let separator = if journey_url.contains('?') { '&' } else { '?' };
    format!("{journey_url}{separator}invitation={token}")
}
