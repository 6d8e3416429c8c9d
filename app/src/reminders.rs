//! Reminders, applied: the housekeeping round that reminds companies of a
//! journey they have not completed (a `journey.reminder` event each, once
//! across replicas, and the email when the policy asks for it, see
//! [`crate::reminder_emails`]) and announces invitations about to expire;
//! and when a company's next reminder is due.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use domain::company::Company;
use domain::ids::ClientId;
use domain::journey::JourneyStatus;
use domain::link_settings::LinkSettings;
use domain::ports::{DueReminders, RepoError, Store};
use domain::reminder::{JourneyAddress, Reminder, ReminderState, Step};

use crate::ports::ClientSettings;
use crate::reminder_emails::Mail;
use crate::AppError;

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

/// One round: every company due is reminded, moved on to its next look, or
/// left alone for good (journey complete, schedule done); then the
/// invitations expiring within a day are announced.
pub async fn remind(
    store: &dyn Store,
    settings: &dyn ClientSettings,
    mail: Option<Mail<'_>>,
    now: DateTime<Utc>,
) -> Result<Round, AppError> {
    let due = store.due_reminders(now, BATCH).await?;
    let mut round = Round {
        looked_at: due.len(),
        ..Round::default()
    };
    let mut clients: HashMap<ClientId, crate::clients::ClientContext> = HashMap::new();
    for company in &due {
        let client = company.company.client_id;
        let context = match clients.entry(client) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(crate::clients::context_of(store, settings, client).await?)
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
    context: &crate::clients::ClientContext,
    due: &DueReminders,
    now: DateTime<Utc>,
) -> Result<bool, RepoError> {
    let company = &due.company;
    let ledger = store.consent_ledger(company.client_id, company.id).await?;
    let connections = store
        .connections_of(company.client_id, &[company.id])
        .await?;
    let policy = &context.settings.reminders;
    let missing = JourneyStatus::new(&context.settings, &ledger, &connections)
        .missing(policy.include_optional);
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
                    crate::reminder_emails::email_of(
                        store, mail, context, due, address, &reminder, now,
                    )
                    .await?
                }
                _ => None,
            };
            store
                .advance_reminders(due, number, next, Some(&reminder), email.as_ref(), now)
                .await
        }
    }
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
    if !state.enabled || status.missing(policy.include_optional).is_empty() {
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
