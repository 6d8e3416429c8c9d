//! Reminders: when a company whose journey is not complete is reminded, which
//! categories it still misses, and in what words. The link settings hold the
//! policy; the housekeeping task applies it.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::validation::{char_len, is_http_url, FieldError, ValidationErrors};

/// Most reminders in a schedule.
pub const MAX_REMINDERS: usize = 10;
/// The latest day a reminder may be scheduled on, counted from the company's creation.
pub const MAX_REMINDER_DAY: u32 = 365;
/// How late a reminder may still go out: one due longer ago is skipped, not sent late.
pub const LATE_BY_AT_MOST: TimeDelta = TimeDelta::days(1);
/// The texts of a reminder a client may reword, with the longest each may be.
pub const REMINDER_TEXTS: [(&str, usize); 3] =
    [("subject", 200), ("value", 1000), ("callToAction", 100)];
/// Most locales a reminder's texts may be given in.
pub const MAX_REMINDER_LOCALES: usize = 20;

/// When and how companies are reminded of a journey they have not completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPolicy {
    pub enabled: bool,
    /// The days after a company's creation on which it is reminded, ascending.
    pub schedule_days: Vec<u32>,
    /// Whether unlinked optional categories count as missing too (then the
    /// journey is complete only once every category is linked).
    pub include_optional: bool,
    /// The client's own journey address, `{companyId}` standing for the
    /// company; the hosted journey otherwise.
    pub journey_url: Option<String>,
    /// The client's words by locale and text name ([`REMINDER_TEXTS`]); what
    /// is left out keeps the shipped wording.
    pub texts: BTreeMap<String, BTreeMap<String, String>>,
    /// Whether Link API emails each reminder itself to the company's reminder
    /// address (it needs an SMTP server); the event goes out either way.
    pub send_emails: bool,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            schedule_days: vec![2, 5, 10],
            include_optional: false,
            journey_url: None,
            texts: BTreeMap::new(),
            send_emails: false,
        }
    }
}

/// What to do now about one company's reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet; look again at `due` (or never, when `None`).
    Wait { due: Option<DateTime<Utc>> },
    /// Send reminder `number` (from 1); then the next is due at `next`.
    Send {
        number: u32,
        next: Option<DateTime<Utc>>,
    },
    /// Reminders up to `sent` are past their time: count them as done without
    /// sending, and look again at `next`.
    Skip {
        sent: u32,
        next: Option<DateTime<Utc>>,
    },
}

impl ReminderPolicy {
    fn due(&self, created: DateTime<Utc>, index: usize) -> Option<DateTime<Utc>> {
        self.schedule_days
            .get(index)
            .map(|days| created + TimeDelta::days(i64::from(*days)))
    }

    /// The step for a company created at `created` that has had `sent`
    /// reminders, at `now`. Only the latest reminder due goes out, and only
    /// within [`LATE_BY_AT_MOST`] of its time.
    pub fn step(&self, created: DateTime<Utc>, sent: u32, now: DateTime<Utc>) -> Step {
        let sent_index = usize::try_from(sent).unwrap_or(usize::MAX);
        if !self.enabled || sent_index >= self.schedule_days.len() {
            return Step::Wait { due: None };
        }
        let latest = (0..self.schedule_days.len())
            .rev()
            .find(|i| self.due(created, *i).is_some_and(|due| due <= now));
        let Some(latest) = latest.filter(|i| *i >= sent_index) else {
            return Step::Wait {
                due: self.due(created, sent_index),
            };
        };
        let number = u32::try_from(latest + 1).unwrap_or(u32::MAX);
        let next = self.due(created, latest + 1);
        match self.due(created, latest) {
            Some(due) if now - due > LATE_BY_AT_MOST => Step::Skip { sent: number, next },
            _ => Step::Send { number, next },
        }
    }

    /// The reminder's texts in `locale`: the client's words for the exact
    /// locale, then its language, over the shipped ones (English when the
    /// language is not shipped).
    pub fn texts(&self, locale: &str) -> ReminderTexts {
        let language = crate::locale::language_of(locale);
        let mut texts = shipped(language);
        for chosen in [language, locale] {
            if let Some(own) = self.texts.get(chosen) {
                for (name, text) in own {
                    match name.as_str() {
                        "subject" => texts.subject.clone_from(text),
                        "value" => texts.value.clone_from(text),
                        "callToAction" => texts.call_to_action.clone_from(text),
                        _ => {}
                    }
                }
            }
        }
        texts
    }

    /// Adds what is wrong with the policy to `errors`, naming fields as `reminders.…`.
    pub fn check(&self, errors: &mut ValidationErrors) {
        let days = &self.schedule_days;
        if days.is_empty()
            || days.len() > MAX_REMINDERS
            || days.iter().any(|d| !(1..=MAX_REMINDER_DAY).contains(d))
            || days.windows(2).any(|pair| pair[0] >= pair[1])
        {
            errors.push(FieldError::new(
                "reminders.scheduleDays",
                "Schedule",
                format!("reminders.scheduleDays is 1 to {MAX_REMINDERS} days after the company's creation, ascending, each from 1 to {MAX_REMINDER_DAY}."),
            ));
        }
        if let Some(url) = &self.journey_url {
            if !is_http_url(url) || char_len(url) > 2000 {
                errors.push(FieldError::new(
                    "reminders.journeyUrl",
                    "Url",
                    "reminders.journeyUrl is an http(s) address of at most 2000 characters; {companyId} stands for the company.",
                ));
            }
        }
        crate::locale::check_texts_by_locale(
            errors,
            "reminders.texts",
            &self.texts,
            MAX_REMINDER_LOCALES,
            |field, name, text| match REMINDER_TEXTS.iter().find(|(known, _)| *known == name) {
                None => Some(FieldError::new(
                    field,
                    "UnknownText",
                    "A reminder's texts are subject, value and callToAction.",
                )),
                Some((_, longest)) if text.trim().is_empty() || char_len(text) > *longest => {
                    Some(FieldError::new(
                        field,
                        "Length",
                        format!("{field} is 1 to {longest} characters."),
                    ))
                }
                // A subject is a header line of an email; the rest may run
                // over several lines.
                Some((known, _)) => crate::validation::check_control_characters(
                    field,
                    text,
                    if *known == "subject" {
                        crate::validation::ControlCharacters::None
                    } else {
                        crate::validation::ControlCharacters::LineBreaks
                    },
                )
                .err(),
            },
        );
    }
}

/// What a reminder says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTexts {
    pub subject: String,
    /// What the customer gains by finishing.
    pub value: String,
    pub call_to_action: String,
}

fn shipped(language: &str) -> ReminderTexts {
    let (subject, value, call_to_action) = match language {
        "fr" => (
            "Il reste une étape pour connecter votre entreprise à {client}",
            "Une fois vos comptes connectés, {client} dispose des informations à jour dont il a besoin, sans documents à envoyer.",
            "Reprendre",
        ),
        "de" => (
            "Nur noch ein Schritt, um Ihr Unternehmen mit {client} zu verbinden",
            "Sobald Ihre Konten verbunden sind, hat {client} die aktuellen Angaben, die es braucht, ganz ohne Unterlagen zu senden.",
            "Fortfahren",
        ),
        "ar" => (
            "تبقّت خطوة واحدة لربط شركتك مع {client}",
            "بمجرد ربط حساباتك، تحصل {client} على الأرقام المحدّثة التي تحتاجها، دون أن ترسل أي مستندات.",
            "تابع من حيث توقفت",
        ),
        "es" => (
            "Falta un paso para conectar su empresa con {client}",
            "Cuando sus cuentas estén conectadas, {client} tendrá la información actualizada que necesita, sin que usted envíe documentos.",
            "Continuar",
        ),
        _ => (
            "One step left to connect your business to {client}",
            "Once your accounts are connected, {client} has the up-to-date figures it needs, with no documents for you to send.",
            "Pick up where you left off",
        ),
    };
    ReminderTexts {
        subject: subject.into(),
        value: value.into(),
        call_to_action: call_to_action.into(),
    }
}

impl ReminderTexts {
    /// The texts with `{client}` replaced by the client's name.
    pub fn for_client(mut self, client: &str) -> Self {
        for text in [&mut self.subject, &mut self.value, &mut self.call_to_action] {
            *text = text.replace("{client}", client);
        }
        self
    }
}

/// Where a reminder sends the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JourneyAddress {
    /// The company's hosted journey page.
    Hosted,
    /// The client's own journey UI, with the company id filled in.
    Client(String),
    /// None that opens without more: the hosted page takes signed links only.
    SignedLinksOnly,
}

impl JourneyAddress {
    /// The address of `company`'s journey, the hosted one being served at
    /// `public_url`; `None` while it takes signed links only.
    pub fn url(&self, public_url: &str, company: crate::ids::CompanyId) -> Option<String> {
        match self {
            Self::Hosted => Some(format!("{public_url}/link/company/{company}")),
            Self::Client(url) => Some(url.clone()),
            Self::SignedLinksOnly => None,
        }
    }
}

/// One reminder, as its event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Its place in the schedule, from 1.
    pub number: u32,
    /// How many the schedule has.
    pub of: u32,
    /// The categories still missing, with whether each is required.
    pub missing: Vec<(&'static str, bool)>,
    pub locale: String,
    pub texts: ReminderTexts,
    pub journey: JourneyAddress,
    /// When the next one is due, if any.
    pub next: Option<DateTime<Utc>>,
}

/// A company's reminders as stored: whether they are on for it, how many
/// went out, and when it is looked at next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderState {
    /// False once the client or the customer turned them off for this company.
    pub enabled: bool,
    pub sent: u32,
    /// Where Link API emails the company's reminders, when its policy says so.
    pub email: Option<String>,
    /// The reminders sent, oldest first.
    pub history: Vec<SentReminder>,
}

/// A reminder that went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReminder {
    pub number: u32,
    pub at: DateTime<Utc>,
    /// The `journey.reminder` event that carried it.
    pub event: uuid::Uuid,
    /// Its email, when Link API sent one.
    pub email: Option<crate::email::EmailDelivery>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link_settings::LinkSettings;

    fn at(days: i64, hours: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(days) + TimeDelta::hours(hours)
    }

    #[test]
    fn each_reminder_goes_out_on_its_day_and_then_waits_for_the_next() {
        let policy = ReminderPolicy::default();
        let created = at(0, 0);

        assert_eq!(
            policy.step(created, 0, at(1, 23)),
            Step::Wait {
                due: Some(at(2, 0))
            }
        );
        assert_eq!(
            policy.step(created, 0, at(2, 1)),
            Step::Send {
                number: 1,
                next: Some(at(5, 0))
            }
        );
        assert_eq!(
            policy.step(created, 1, at(2, 2)),
            Step::Wait {
                due: Some(at(5, 0))
            }
        );
        assert_eq!(
            policy.step(created, 2, at(10, 0)),
            Step::Send {
                number: 3,
                next: None
            }
        );
        assert_eq!(policy.step(created, 3, at(30, 0)), Step::Wait { due: None });
    }

    #[test]
    fn a_reminder_past_its_time_is_skipped_and_only_the_latest_goes_out() {
        let policy = ReminderPolicy::default();
        let created = at(0, 0);

        assert_eq!(
            policy.step(created, 0, at(5, 3)),
            Step::Send {
                number: 2,
                next: Some(at(10, 0))
            },
            "the first is not sent after the second is due"
        );
        assert_eq!(
            policy.step(created, 0, at(40, 0)),
            Step::Skip {
                sent: 3,
                next: None
            },
            "a company older than the schedule is not reminded late"
        );
    }

    #[test]
    fn a_policy_turned_off_or_shortened_sends_nothing_more() {
        let mut policy = ReminderPolicy {
            enabled: false,
            ..ReminderPolicy::default()
        };
        assert_eq!(policy.step(at(0, 0), 0, at(2, 1)), Step::Wait { due: None });
        policy.enabled = true;
        policy.schedule_days = vec![2];
        assert_eq!(policy.step(at(0, 0), 2, at(5, 1)), Step::Wait { due: None });
    }

    #[test]
    fn optional_categories_are_missing_only_when_the_policy_counts_them() {
        let settings = LinkSettings::defaults();
        let status = crate::journey::JourneyStatus::new(&settings, &[], &[]);
        let mut policy = ReminderPolicy::default();

        assert_eq!(
            status.missing(policy.include_optional),
            vec![("accounting", true)]
        );
        policy.include_optional = true;
        assert_eq!(
            status.missing(policy.include_optional),
            vec![
                ("accounting", true),
                ("banking", false),
                ("commerce", false)
            ]
        );
    }

    #[test]
    fn texts_come_from_the_exact_locale_then_its_language_then_the_shipped_ones() {
        let mut policy = ReminderPolicy::default();
        policy.texts.insert(
            "fr".into(),
            BTreeMap::from([("subject".into(), "Votre dossier {client}".into())]),
        );
        policy.texts.insert(
            "fr-CA".into(),
            BTreeMap::from([("callToAction".into(), "Continuer".into())]),
        );

        let texts = policy.texts("fr-CA").for_client("Acme");

        assert_eq!(texts.subject, "Votre dossier Acme");
        assert_eq!(texts.call_to_action, "Continuer");
        assert!(texts.value.contains("Acme dispose"), "{}", texts.value);
        assert!(policy.texts("ja").subject.starts_with("One step left"));
    }

    #[test]
    fn a_bad_policy_is_refused_field_by_field() {
        let policy = ReminderPolicy {
            enabled: true,
            schedule_days: vec![5, 2, 0],
            include_optional: false,
            journey_url: Some("ftp://x".into()),
            send_emails: false,
            texts: BTreeMap::from([
                (
                    "not a locale".into(),
                    BTreeMap::from([
                        ("subject".into(), "x".repeat(201)),
                        ("footer".into(), "x".into()),
                    ]),
                ),
                (
                    "fr".into(),
                    BTreeMap::from([
                        ("subject".into(), "Bonjour\r\nBcc: all@example.com".into()),
                        ("value".into(), "Deux lignes\nsuffisent".into()),
                        ("callToAction".into(), "Finir\u{1b}[31m".into()),
                    ]),
                ),
            ]),
        };
        let mut errors = ValidationErrors::default();

        policy.check(&mut errors);

        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "reminders.scheduleDays",
                "reminders.journeyUrl",
                "reminders.texts.fr.callToAction",
                "reminders.texts.fr.subject",
                "reminders.texts.not a locale",
                "reminders.texts.not a locale.footer",
                "reminders.texts.not a locale.subject"
            ]
        );
    }
}
