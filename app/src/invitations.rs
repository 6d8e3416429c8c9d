//! Invitations: making one for a company (its signed token, the share URL
//! and a ready `mailto:` link) and, when asked, its email, written to the
//! outbox in the same transaction; and completing them as the company's
//! connections link.

use chrono::{DateTime, SubsecRound, Utc};
use domain::email::{EmailDelivery, EmailStatus, OutgoingEmail};
use domain::ids::{ClientId, CompanyId};
use domain::invitation::{self, Invitation, MAX_MESSAGE_LEN};
use domain::journey::JourneyStatus;
use domain::link_settings::{categories_error, normalize_categories, CategorySet};
use domain::ports::{ConnectionRepository, InvitationRepository, RepoError, Store};
use domain::validation::{char_len, is_http_url};
use domain::{FieldError, ValidationErrors};
use uuid::Uuid;

use crate::email_text::InvitationEmail;
use crate::emails::Formatter;
use crate::ports::{ClientSettings, InvitationTokens};
use crate::secrets::Cipher;
use crate::web_origin::web_origin;
use crate::AppError;

/// What making invitations works with.
pub struct Service<'a> {
    pub store: &'a dyn Store,
    pub settings: &'a dyn ClientSettings,
    pub tokens: &'a dyn InvitationTokens,
    pub cipher: &'a Cipher,
    /// The mail adapter, when the service sends email.
    pub mail: Option<&'a dyn Formatter>,
    /// The service's public address, and its origin.
    pub public_url: &'a str,
    pub own_origin: String,
}

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

/// Makes an invitation: checks the request whole (every wrong field named at
/// once), signs its token, and stores it with its email when asked to send.
pub async fn create(
    service: &Service<'_>,
    inviter: &Inviter,
    request: InvitationRequest,
) -> Result<MadeInvitation, AppError> {
    let store = service.store;
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
    let settings = service.settings.link_settings(inviter.client).await?;
    let asked_url = request.journey_url.is_some();
    // Without a journey UI of the client's own, invitations open the hosted journey.
    let journey_url = request
        .journey_url
        .or(settings.invitation_url.clone())
        .unwrap_or_else(|| format!("{}/link/company/{}", service.public_url, inviter.company));
    if !is_http_url(&journey_url) || char_len(&journey_url) > 2000 {
        errors.push(FieldError::new(
            "journeyUrl",
            "Url",
            "journeyUrl must be an http:// or https:// URL.",
        ));
    } else if asked_url
        && inviter.by_journey
        && !journey_url_allowed(service, inviter.client, &settings, &journey_url).await?
    {
        errors.push(FieldError::new(
            "journeyUrl",
            "AllowedOrigin",
            "With a company token, journeyUrl must be on an origin of the client's CORS settings \
             (POST /corsSettings) or of the link settings' invitationUrl.",
        ));
    }
    if inviter.by_journey && request.send == Some(true) && !settings.email_invitations {
        return Err(AppError::NotAllowed(
            "This client does not let the journey have Link API email invitations \
             (emailInvitations in the link settings); send shareUrl or mailtoUrl instead.",
        ));
    }
    // The client's default applies where it can: an invitation without an
    // address, or a service without SMTP, is simply not emailed.
    let send = request.send.unwrap_or(
        settings.email_invitations && service.mail.is_some() && recipient_email.is_some(),
    );
    let delivery = if send {
        email_delivery(
            service.mail,
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
        return Err(AppError::Invalid(errors));
    }
    for category in &categories {
        crate::error::check_covered(inviter.categories, Some(category))?;
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
    let token = service
        .tokens
        .sign(&invitation)
        .map_err(AppError::Internal)?;
    let share = share_url(&journey_url, &token);
    let profile = crate::clients::profile(store, inviter.client).await?;
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
        crate::email_text::invitation_mailto(&wording, invitation.recipient_email.as_deref());
    let email = match delivery {
        Some((mailer, to)) => {
            let message = mailer
                .format(
                    &profile.name,
                    to.as_ref(),
                    &crate::email_text::invitation(&wording),
                )
                .map_err(AppError::Internal)?;
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
                message: service.cipher.seal(&message, crate::emails::SEAL_CONTEXT)?,
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
    service: &Service<'_>,
    client: ClientId,
    settings: &domain::link_settings::LinkSettings,
    url: &str,
) -> Result<bool, RepoError> {
    let Some(origin) = web_origin(url) else {
        return Ok(false);
    };
    let invitation_origin = settings.invitation_url.as_deref().and_then(web_origin);
    Ok(invitation_origin.as_deref() == Some(origin.as_str())
        || crate::web_origin::allowed(service.store, &service.own_origin, client, &origin).await?)
}

/// Checks what sending an invitation by email needs: an SMTP server, one
/// recipient address (`given`: one was asked for, valid or not), a name on
/// one line and a known locale form. Returns the
/// mailer, the recipient and the locale asked for.
fn email_delivery<'a>(
    mailer: Option<&'a dyn Formatter>,
    errors: &mut ValidationErrors,
    (email, given): (Option<&str>, bool),
    name: Option<&str>,
) -> Option<(&'a dyn Formatter, String)> {
    if mailer.is_none() {
        errors.push(FieldError::new(
            "send",
            "NotConfigured",
            "This Link API sends no email: set LINK_SMTP_URL and LINK_SMTP_FROM, or send shareUrl yourself.",
        ));
    }
    let to = match email.map(|e| (e, mailer.is_none_or(|m| m.accepts(e)))) {
        Some((address, true)) => Some(address.to_owned()),
        Some((_, false)) => {
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

/// Marks the company's open invitations whose categories are now all linked
/// as completed. Called after a connection becomes `Linked`.
pub async fn complete<S>(
    store: &S,
    settings: &dyn ClientSettings,
    client: ClientId,
    company: CompanyId,
) -> Result<(), AppError>
where
    S: InvitationRepository + ConnectionRepository + ?Sized,
{
    let now = Utc::now();
    let open: Vec<Invitation> = store
        .list_invitations(client, company)
        .await?
        .into_iter()
        .filter(|i| i.completed_at.is_none() && i.usable(now))
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let settings = settings.link_settings(client).await?;
    let connections = store.connections_of(client, &[company]).await?;
    let status = JourneyStatus::new(&settings, &[], &connections);
    let done: Vec<Uuid> = open
        .iter()
        .filter(|i| {
            status
                .clone()
                .invited(CategorySet::of(&i.categories))
                .complete()
        })
        .map(|i| i.id)
        .collect();
    store.mark_invitations_completed(client, &done, now).await?;
    Ok(())
}
