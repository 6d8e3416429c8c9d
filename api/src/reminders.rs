//! Reminders, applied: the housekeeping round that reminds companies of a
//! journey they have not completed (a `journey.reminder` event each, once
//! across replicas, and the email when the policy asks for it) and announces
//! invitations about to expire; when a company's next reminder is due; and
//! the signed address in each email that stops them. No HTTP here: the
//! routes and the dispatcher call these.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use domain::company::Company;
use domain::email::OutgoingEmail;
use domain::ids::{ClientId, CompanyId};
use domain::journey::JourneyStatus;
use domain::link_settings::LinkSettings;
use domain::ports::{DueReminders, RepoError, Store};
use domain::profile::Profile;
use domain::reminder::{JourneyAddress, Reminder, ReminderState, Step};

use crate::crypto::Cipher;
use crate::dto::link_settings::LinkSettingsDocument;
use crate::mailer::{Mailer, ReminderEmail};

/// Companies looked at in one round.
const BATCH: u32 = 200;
/// How long before its expiry an invitation is announced as expiring.
pub const EXPIRING_WITHIN: TimeDelta = TimeDelta::days(1);

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Companies looked at.
    pub looked_at: usize,
    /// `journey.reminder` events written.
    pub reminded: usize,
    /// `invitation.expiring` events written.
    pub expiring: usize,
}

/// A client's newest link settings, the defaults before any change.
pub async fn settings_of(store: &dyn Store, client: ClientId) -> Result<LinkSettings, RepoError> {
    match store.latest_link_settings(client).await? {
        None => Ok(LinkSettings::defaults()),
        Some(stored) => LinkSettingsDocument::parse_stored(&stored).map_err(RepoError::Failure),
    }
}

/// A client's profile, or a default named after the client.
pub async fn profile_of(store: &dyn Store, client: ClientId) -> Result<Profile, RepoError> {
    if let Some(profile) = store.get_profile(client).await? {
        return Ok(profile);
    }
    let name = store
        .get_client(client)
        .await?
        .map_or_else(|| "Link API".to_owned(), |c| c.name);
    Ok(Profile {
        name,
        redirect_url: String::new(),
        logo_url: None,
        icon_url: None,
        whitelist_urls: Vec::new(),
    })
}

/// What a client's reminders need besides the company: its settings, name and logo.
struct ClientContext {
    settings: LinkSettings,
    name: String,
    logo_url: Option<String>,
}

async fn context_of(store: &dyn Store, client: ClientId) -> Result<ClientContext, RepoError> {
    let profile = profile_of(store, client).await?;
    Ok(ClientContext {
        settings: settings_of(store, client).await?,
        name: profile.name,
        logo_url: profile.logo_url,
    })
}

/// What emailing reminders takes: the service's mailer, and the cipher that
/// seals each message in the outbox and signs its stop link.
#[derive(Clone, Copy)]
pub struct Mail<'a> {
    pub mailer: &'a Mailer,
    pub cipher: &'a Cipher,
}

/// One round: every company due is reminded, moved on to its next look, or
/// left alone for good (journey complete, schedule done); then the
/// invitations expiring within a day are announced.
pub async fn remind(
    store: &dyn Store,
    mail: Option<Mail<'_>>,
    now: DateTime<Utc>,
) -> Result<Round, RepoError> {
    let due = store.due_reminders(now, BATCH).await?;
    let mut round = Round {
        looked_at: due.len(),
        ..Round::default()
    };
    let mut clients: HashMap<ClientId, ClientContext> = HashMap::new();
    for company in &due {
        let client = company.company.client_id;
        let context = match clients.entry(client) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(context_of(store, client).await?)
            }
        };
        if look_at(store, mail, context, company, now).await? {
            round.reminded += 1;
        }
    }
    round.expiring = store
        .announce_expiring_invitations(now, now + EXPIRING_WITHIN, BATCH)
        .await?;
    Ok(round)
}

/// Moves one company on; true when it was reminded.
async fn look_at(
    store: &dyn Store,
    mail: Option<Mail<'_>>,
    context: &ClientContext,
    due: &DueReminders,
    now: DateTime<Utc>,
) -> Result<bool, RepoError> {
    let company = &due.company;
    let ledger = store.consent_ledger(company.client_id, company.id).await?;
    let connections = store
        .connections_of(company.client_id, &[company.id])
        .await?;
    let policy = &context.settings.reminders;
    let missing = policy.missing(&JourneyStatus::new(
        &context.settings,
        &ledger,
        &connections,
    ));
    if missing.is_empty() {
        return store
            .advance_reminders(due, due.sent, None, None, None, now)
            .await
            .map(|_| false);
    }
    match policy.step(company.created, due.sent, now) {
        Step::Wait { due: next } => store
            .advance_reminders(due, due.sent, next, None, None, now)
            .await
            .map(|_| false),
        Step::Skip { sent, next } => store
            .advance_reminders(due, sent, next, None, None, now)
            .await
            .map(|_| false),
        Step::Send { number, next } => {
            let locale = ledger
                .iter()
                .rev()
                .find_map(|record| record.locale.clone())
                .or_else(|| context.settings.hosted.default_locale.clone())
                .unwrap_or_else(|| "en".to_owned());
            let reminder = Reminder {
                number,
                of: u32::try_from(policy.schedule_days.len()).unwrap_or(u32::MAX),
                missing,
                texts: policy.texts(&locale).for_client(&context.name),
                locale,
                journey: address(&context.settings, company),
                next,
            };
            let email = match (mail, &due.email) {
                (Some(mail), Some(address)) if policy.send_emails => {
                    email_of(store, mail, context, due, address, &reminder, now).await?
                }
                _ => None,
            };
            store
                .advance_reminders(due, number, next, Some(&reminder), email.as_ref(), now)
                .await
        }
    }
}

/// The email of `reminder` to `address`, sealed for the outbox. Where the
/// hosted journey takes signed links only, the email carries a one-time
/// link of its own. `None` (and a warning) when it cannot be made.
async fn email_of(
    store: &dyn Store,
    mail: Mail<'_>,
    context: &ClientContext,
    due: &DueReminders,
    address: &str,
    reminder: &Reminder,
    now: DateTime<Utc>,
) -> Result<Option<OutgoingEmail>, RepoError> {
    let company = &due.company;
    let public_url = &mail.mailer.public_url;
    let journey_url = match reminder.journey.url(public_url, company.id) {
        Some(url) => url,
        None => {
            let expires_at = now + TimeDelta::minutes(domain::journey_link::MAX_MINUTES);
            crate::journey_links::mint(
                store,
                public_url,
                company.client_id,
                company.id,
                now,
                expires_at,
            )
            .await?
            .1
        }
    };
    let made = address
        .parse::<lettre::Address>()
        .map_err(|e| e.to_string())
        .and_then(|to| {
            crate::mailer::reminder_message(
                &mail.mailer.from,
                &ReminderEmail {
                    recipient: &to,
                    client: &context.name,
                    logo_url: context.logo_url.as_deref(),
                    locale: &reminder.locale,
                    texts: &reminder.texts,
                    missing: &reminder.missing,
                    journey_url: &journey_url,
                    stop_url: &stop_url(public_url, mail.cipher, company.id, &reminder.locale),
                },
            )
        });
    let sealed = made.and_then(|message| {
        mail.cipher
            .seal(&message, crate::mailer::SEAL_CONTEXT)
            .map_err(|e| e.to_string())
    });
    match sealed {
        Ok(message) => Ok(Some(OutgoingEmail {
            id: uuid::Uuid::now_v7(),
            client_id: company.client_id,
            company_id: company.id,
            invitation_id: None,
            recipient: address.to_owned(),
            message,
            created: now,
        })),
        Err(error) => {
            tracing::warn!(company = %company.id, %error, "a reminder email could not be made; the event goes out alone");
            Ok(None)
        }
    }
}

/// What a stop link's tag is made for.
const STOP_PURPOSE: &str = "link-api reminders stop";

/// The address in each reminder email that turns the company's reminders
/// off; its page speaks `locale`, the email's.
pub fn stop_url(public_url: &str, cipher: &Cipher, company: CompanyId, locale: &str) -> String {
    format!(
        "{public_url}/link/company/{company}/reminders/stop?token={}&locale={}",
        cipher.tag(STOP_PURPOSE, company.as_uuid().as_bytes()),
        domain::profile::percent_encode(locale)
    )
}

/// The company a stop link names, if `token` is its tag and the company
/// exists; with the name of the client that reminds it.
pub async fn stop_link_company(
    store: &dyn Store,
    cipher: &Cipher,
    company: CompanyId,
    token: &str,
) -> Result<Option<(Company, String)>, RepoError> {
    if !cipher.verify_tag(STOP_PURPOSE, company.as_uuid().as_bytes(), token) {
        return Ok(None);
    }
    let found = match store.find_company(company).await {
        Ok(found) => found,
        Err(RepoError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let client = profile_of(store, found.client_id).await?.name;
    Ok(Some((found, client)))
}

/// Where a reminder of `company` sends the customer.
fn address(settings: &LinkSettings, company: &Company) -> JourneyAddress {
    match &settings.reminders.journey_url {
        Some(url) => JourneyAddress::Client(url.replace("{companyId}", &company.id.to_string())),
        None if settings.hosted.require_signed_links => JourneyAddress::SignedLinksOnly,
        None => JourneyAddress::Hosted,
    }
}

/// When a company's next reminder goes out: never when its reminders are
/// off, the policy's schedule is done, or nothing is missing.
pub fn next_due(
    settings: &LinkSettings,
    state: &ReminderState,
    status: &JourneyStatus<'_>,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let policy = &settings.reminders;
    if !state.enabled || policy.missing(status).is_empty() {
        return None;
    }
    match policy.step(created, state.sent, now) {
        Step::Wait { due } => due,
        Step::Send { .. } => Some(now),
        Step::Skip { next, .. } => next,
    }
}

/// Whether a change of link settings can change who is reminded when: the
/// policy, or which categories are required.
pub fn reschedule_needed(before: &LinkSettings, after: &LinkSettings) -> bool {
    before.reminders != after.reminders
        || before
            .categories
            .iter()
            .zip(&after.categories)
            .any(|(b, a)| b.required != a.required)
}
