//! Reminders emailed by Link API: each message, made and sealed for the
//! outbox beside its `journey.reminder` event, and the signed address in it
//! that stops the company's reminders, for the reminders round and the stop
//! link's pages.

use chrono::{DateTime, TimeDelta, Utc};
use domain::company::Company;
use domain::email::OutgoingEmail;
use domain::ids::CompanyId;
use domain::ports::{DueReminders, RepoError, Store};
use domain::reminder::Reminder;

use crate::clients::ClientContext;
use crate::email_text::ReminderEmail;
use crate::emails::Formatter;
use crate::secrets::Cipher;

/// What emailing reminders takes: the formatter of the service's mail
/// adapter, the service's public address the links in an email lead to, and
/// the cipher that seals each message in the outbox and signs its stop link.
#[derive(Clone, Copy)]
pub struct Mail<'a> {
    pub formatter: &'a dyn Formatter,
    pub public_url: &'a str,
    pub cipher: &'a Cipher,
}

/// The email of `reminder` to `address`, sealed for the outbox. Where the
/// hosted journey takes signed links only, the email carries a one-time
/// link of its own (minted before the reminder is written: should another
/// replica write it first, that link is left unused until it expires).
/// `None` (and a warning) when the message cannot be made.
pub(crate) async fn email_of(
    store: &dyn Store,
    mail: Mail<'_>,
    context: &ClientContext,
    due: &DueReminders,
    address: &str,
    reminder: &Reminder,
    now: DateTime<Utc>,
) -> Result<Option<OutgoingEmail>, RepoError> {
    let company = &due.company;
    let public_url = mail.public_url;
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
    let composed = crate::email_text::reminder(&ReminderEmail {
        client: &context.name,
        logo_url: context.logo_url.as_deref(),
        locale: &reminder.locale,
        texts: &reminder.texts,
        missing: &reminder.missing,
        journey_url: &journey_url,
        stop_url: &stop_url(public_url, mail.cipher, company.id, &reminder.locale, now),
    });
    let made = mail.formatter.format(&context.name, address, &composed);
    let sealed = made.and_then(|message| {
        mail.cipher
            .seal(&message, crate::emails::SEAL_CONTEXT)
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
            by_journey: false,
        })),
        Err(error) => {
            tracing::warn!(company = %company.id, %error, "a reminder email could not be made; the event goes out alone");
            Ok(None)
        }
    }
}

/// What a stop link's tag is made for.
const STOP_PURPOSE: &str = "link-api reminders stop";

/// How long a stop link works: long past the reminders of one journey, not for ever.
pub const STOP_LINK_DAYS: i64 = 90;

/// What a stop link's tag signs: the company and the link's expiry.
fn stop_signed(company: CompanyId, expires: i64) -> Vec<u8> {
    let mut signed = company.as_uuid().as_bytes().to_vec();
    signed.extend_from_slice(&expires.to_be_bytes());
    signed
}

/// The address in each reminder email that turns the company's reminders
/// off, for [`STOP_LINK_DAYS`] from `now`; its page speaks `locale`, the email's.
pub fn stop_url(
    public_url: &str,
    cipher: &Cipher,
    company: CompanyId,
    locale: &str,
    now: DateTime<Utc>,
) -> String {
    let expires = (now + TimeDelta::days(STOP_LINK_DAYS)).timestamp();
    format!(
        "{public_url}/link/company/{company}/reminders/stop?token={expires}.{}&locale={}",
        cipher.tag(STOP_PURPOSE, &stop_signed(company, expires)),
        domain::profile::percent_encode(locale)
    )
}

/// The company a stop link names, if `token` is its unexpired signature and
/// the company exists; with the name of the client that reminds it.
pub async fn stop_link_company(
    store: &dyn Store,
    cipher: &Cipher,
    company: CompanyId,
    token: &str,
) -> Result<Option<(Company, String)>, RepoError> {
    let genuine = token
        .split_once('.')
        .and_then(|(expires, tag)| Some((expires.parse::<i64>().ok()?, tag)))
        .filter(|(expires, _)| *expires > Utc::now().timestamp())
        .is_some_and(|(expires, tag)| {
            cipher.verify_tag(STOP_PURPOSE, &stop_signed(company, expires), tag)
        });
    if !genuine {
        return Ok(None);
    }
    let found = match store.find_company(company).await {
        Ok(found) => found,
        Err(RepoError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let client = crate::clients::profile(store, found.client_id).await?.name;
    Ok(Some((found, client)))
}
