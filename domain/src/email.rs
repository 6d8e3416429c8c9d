//! Emails Link API sends itself (when an SMTP server is configured): the
//! outbox record of each, its retries, and what an invitation email says.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::ids::{ClientId, CompanyId};
use crate::secrets::SealedSecret;

/// Where an email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The SMTP server took it.
    Sent,
    /// Refused for good, or every attempt failed.
    Failed,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// An email to send, as the outbox takes it. The message (which holds the
/// share link) is stored sealed, and dropped once it is sent or has failed.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub id: Uuid,
    pub client_id: ClientId,
    pub company_id: CompanyId,
    /// The invitation it carries; `None` for a reminder's.
    pub invitation_id: Option<Uuid>,
    /// The envelope's recipient address.
    pub recipient: String,
    /// The whole message, formatted and sealed.
    pub message: SealedSecret,
    pub created: DateTime<Utc>,
    /// Asked for by the journey (a company token), not the client's back end:
    /// counted against [`JOURNEY_EMAILS_PER_COMPANY`] and [`JOURNEY_EMAILS_PER_CLIENT`].
    pub by_journey: bool,
}

/// How many emails the journey may have Link API send for one company in
/// [`JOURNEY_EMAIL_WINDOW_HOURS`]: a customer invites a colleague or two, or
/// sends the journey to their own computer, not more.
pub const JOURNEY_EMAILS_PER_COMPANY: u32 = 10;

/// How many emails the journeys of all of one client's companies may have
/// Link API send in [`JOURNEY_EMAIL_WINDOW_HOURS`], so that company ids
/// learnt one by one cannot add up to a mailing.
pub const JOURNEY_EMAILS_PER_CLIENT: u32 = 200;

/// The rolling window of the journey's email caps.
pub const JOURNEY_EMAIL_WINDOW_HOURS: i64 = 24;

/// What became of an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailDelivery {
    pub status: EmailStatus,
    pub attempts: u32,
    /// The SMTP server's last answer, or why it could not be reached.
    pub last_answer: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// An email whose attempt is due, leased to one sender.
#[derive(Debug, Clone)]
pub struct DueEmail {
    pub id: Uuid,
    pub recipient: String,
    pub message: SealedSecret,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Taken, with the server's answer.
    Sent(String),
    /// Worth trying again: a 4xx answer, or no answer at all.
    Temporary(String),
    /// Refused for good: a 5xx answer, or a message that cannot be sent.
    Permanent(String),
}

/// The waits between attempts; after the last one an email has failed.
pub const RETRY_AFTER: [TimeDelta; 5] = [
    TimeDelta::minutes(1),
    TimeDelta::minutes(5),
    TimeDelta::minutes(30),
    TimeDelta::hours(2),
    TimeDelta::hours(6),
];

/// What an attempt leaves: the status, and when the next attempt is due.
pub fn after_attempt(
    outcome: &SendOutcome,
    attempts_before: u32,
    now: DateTime<Utc>,
) -> (EmailStatus, Option<DateTime<Utc>>) {
    match outcome {
        SendOutcome::Sent(_) => (EmailStatus::Sent, None),
        SendOutcome::Permanent(_) => (EmailStatus::Failed, None),
        SendOutcome::Temporary(_) => {
            match RETRY_AFTER.get(usize::try_from(attempts_before).unwrap_or(usize::MAX)) {
                Some(wait) => (EmailStatus::Pending, Some(now + *wait)),
                None => (EmailStatus::Failed, None),
            }
        }
    }
}

/// What a reminder email says around the client's texts, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderWords {
    /// Introduces the categories still to connect: `{categories}`.
    pub missing: String,
    /// Marks an optional category.
    pub optional: String,
    /// Why the email came, and how to stop: `{client}`.
    pub why: String,
    /// The link that turns the company's reminders off.
    pub stop: String,
}

/// The reminder email's words in `locale` (English when its language is not shipped).
pub fn reminder_words(locale: &str) -> ReminderWords {
    let language = crate::locale::language_of(locale);
    let (missing, optional, why, stop) = match language {
        "fr" => (
            "Il reste à connecter : {categories}.",
            "facultatif",
            "Vous recevez ce rappel parce que vous avez commencé à connecter votre entreprise à {client}.",
            "Ne plus recevoir ces rappels",
        ),
        "de" => (
            "Noch zu verbinden: {categories}.",
            "optional",
            "Sie erhalten diese Erinnerung, weil Sie begonnen haben, Ihr Unternehmen mit {client} zu verbinden.",
            "Keine Erinnerungen mehr erhalten",
        ),
        "ar" => (
            "ما زال عليك ربط: {categories}.",
            "اختياري",
            "تصلك هذه الرسالة لأنك بدأت ربط شركتك مع {client}.",
            "إيقاف هذه التذكيرات",
        ),
        "es" => (
            "Falta por conectar: {categories}.",
            "opcional",
            "Recibe este recordatorio porque empezó a conectar su empresa con {client}.",
            "No recibir más recordatorios",
        ),
        _ => (
            "Still to connect: {categories}.",
            "optional",
            "You get this reminder because you started connecting your business to {client}.",
            "Stop these reminders",
        ),
    };
    ReminderWords {
        missing: missing.into(),
        optional: optional.into(),
        why: why.into(),
        stop: stop.into(),
    }
}

/// What the page behind a reminder email's stop link says, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopPageWords {
    /// The question before stopping: `{client}`.
    pub ask: String,
    /// What stopping does: `{client}`, `{company}`.
    pub ask_body: String,
    pub button: String,
    pub done: String,
    /// What stopped: `{client}`.
    pub done_body: String,
    pub not_valid: String,
    pub not_valid_body: String,
}

/// The stop page's words in `locale` (English when its language is not shipped).
pub fn stop_page_words(locale: &str) -> StopPageWords {
    let language = crate::locale::language_of(locale);
    let words: [&str; 7] = match language {
        "fr" => [
            "Ne plus recevoir les rappels de {client} ?",
            "{client} ne vous écrira plus au sujet de la connexion de {company}. Ce que vous avez déjà connecté reste en place.",
            "Arrêter les rappels",
            "Rappels arrêtés",
            "{client} ne vous enverra plus de rappels pour connecter votre entreprise.",
            "Ce lien n’est pas valide",
            "Vérifiez que l’adresse a été copiée en entier depuis l’e-mail.",
        ],
        "de" => [
            "Keine Erinnerungen mehr von {client}?",
            "{client} schreibt Ihnen nicht mehr wegen der Verbindung von {company}. Was Sie schon verbunden haben, bleibt bestehen.",
            "Erinnerungen beenden",
            "Erinnerungen beendet",
            "{client} sendet Ihnen keine Erinnerungen mehr, Ihr Unternehmen zu verbinden.",
            "Dieser Link ist ungültig",
            "Prüfen Sie, ob die ganze Adresse aus der E-Mail kopiert wurde.",
        ],
        "ar" => [
            "هل تريد إيقاف التذكيرات من {client}؟",
            "لن تراسلك {client} بعد الآن بشأن ربط {company}. ما ربطته بالفعل يبقى كما هو.",
            "إيقاف التذكيرات",
            "تم إيقاف التذكيرات",
            "لن ترسل إليك {client} المزيد من التذكيرات بشأن ربط شركتك.",
            "هذا الرابط غير صالح",
            "تحقّق من نسخ العنوان كاملًا من الرسالة.",
        ],
        "es" => [
            "¿Dejar de recibir recordatorios de {client}?",
            "{client} no le escribirá más sobre la conexión de {company}. Lo que ya ha conectado sigue igual.",
            "Dejar de recibir recordatorios",
            "Recordatorios desactivados",
            "{client} no le enviará más recordatorios para conectar su empresa.",
            "Este enlace no es válido",
            "Compruebe que copió la dirección completa del correo.",
        ],
        _ => [
            "Stop reminders from {client}?",
            "{client} will no longer email you about connecting {company}. What you have already connected stays as it is.",
            "Stop reminders",
            "Reminders stopped",
            "{client} will send you no more reminders about connecting your business.",
            "This link is not valid",
            "Check that the whole address was copied from the email.",
        ],
    };
    let [ask, ask_body, button, done, done_body, not_valid, not_valid_body] =
        words.map(String::from);
    StopPageWords {
        ask,
        ask_body,
        button,
        done,
        done_body,
        not_valid,
        not_valid_body,
    }
}

/// What an invitation email says, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationWords {
    pub subject: String,
    pub greeting: String,
    pub body: String,
    pub action: String,
    pub expiry: String,
    pub ignore: String,
}

/// A moment as an email says it in `locale`'s language: the day and month in
/// words (never a numeric date a reader in another country reads the other
/// way round), and the time in UTC.
pub fn spoken_date(at: DateTime<Utc>, locale: &str) -> String {
    use chrono::Locale;
    let (pattern, shown) = match crate::locale::language_of(locale) {
        "fr" => ("%-d %B %Y à %H:%M UTC", Locale::fr_FR),
        "de" => ("%-d. %B %Y um %H:%M UTC", Locale::de_DE),
        "es" => ("%-d de %B de %Y a las %H:%M UTC", Locale::es_ES),
        "ar" => ("%-d %B %Y، %H:%M UTC", Locale::ar_EG),
        _ if locale == "en-US" => ("%B %-d, %Y at %H:%M UTC", Locale::en_US),
        _ => ("%-d %B %Y at %H:%M UTC", Locale::en_GB),
    };
    at.format_localized(pattern, shown).to_string()
}

/// The invitation email's words in `locale` (English when its language is
/// not shipped): `{client}`, `{inviter}`, `{categories}`, `{name}` and
/// `{date}` filled in by the caller.
pub fn invitation_words(locale: &str) -> InvitationWords {
    let language = crate::locale::language_of(locale);
    let (subject, greeting, body, action, expiry, ignore) = match language {
        "fr" => (
            "{client} vous invite à connecter des données de votre entreprise",
            "Bonjour {name},",
            "{client} vous demande de connecter les données suivantes : {categories}. Vous choisissez ce que vous partagez, et chaque étape est expliquée avant votre accord.",
            "Commencer",
            "Ce lien reste valable jusqu’au {date}.",
            "Si vous n’attendiez pas ce message, ignorez-le : rien ne sera partagé.",
        ),
        "de" => (
            "{client} bittet Sie, Daten Ihres Unternehmens zu verbinden",
            "Hallo {name},",
            "{client} bittet Sie, folgende Daten zu verbinden: {categories}. Sie entscheiden, was Sie teilen, und jeder Schritt wird erklärt, bevor Sie zustimmen.",
            "Jetzt starten",
            "Dieser Link gilt bis {date}.",
            "Wenn Sie diese Nachricht nicht erwartet haben, ignorieren Sie sie: Es wird nichts geteilt.",
        ),
        "ar" => (
            "تدعوك {client} إلى ربط بيانات شركتك",
            "مرحبًا {name}،",
            "تطلب منك {client} ربط البيانات التالية: {categories}. أنت من يختار ما تشاركه، ويُشرح كل خطوة قبل موافقتك.",
            "ابدأ",
            "يبقى هذا الرابط صالحًا حتى {date}.",
            "إن لم تكن تتوقع هذه الرسالة فتجاهلها: لن تتم مشاركة أي شيء.",
        ),
        "es" => (
            "{client} le invita a conectar datos de su empresa",
            "Hola, {name}:",
            "{client} le pide que conecte estos datos: {categories}. Usted elige qué comparte, y cada paso se explica antes de que dé su consentimiento.",
            "Empezar",
            "Este enlace es válido hasta el {date}.",
            "Si no esperaba este mensaje, ignórelo: no se compartirá nada.",
        ),
        _ => (
            "{client} invites you to connect your business data",
            "Hello {name},",
            "{client} asks you to connect the following data: {categories}. You choose what to share, and each step is explained before you agree.",
            "Get started",
            "This link works until {date}.",
            "If you did not expect this message, ignore it: nothing will be shared.",
        ),
    };
    InvitationWords {
        subject: subject.into(),
        greeting: greeting.into(),
        body: body.into(),
        action: action.into(),
        expiry: expiry.into(),
        ignore: ignore.into(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_date_in_an_email_names_its_month_in_the_readers_language() {
        let at = DateTime::parse_from_rfc3339("2026-12-08T14:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(spoken_date(at, "en-GB"), "8 December 2026 at 14:05 UTC");
        assert_eq!(spoken_date(at, "en-US"), "December 8, 2026 at 14:05 UTC");
        assert_eq!(spoken_date(at, "fr-FR"), "8 décembre 2026 à 14:05 UTC");
        assert_eq!(spoken_date(at, "de"), "8. Dezember 2026 um 14:05 UTC");
        assert_eq!(
            spoken_date(at, "es-ES"),
            "8 de diciembre de 2026 a las 14:05 UTC"
        );
        assert_eq!(spoken_date(at, "ar"), "8 ديسمبر 2026، 14:05 UTC");
    }
    use super::*;

    #[test]
    fn temporary_failures_are_retried_then_fail_and_refusals_fail_at_once() {
        let now = DateTime::UNIX_EPOCH;
        let busy = SendOutcome::Temporary("421 busy".into());

        assert_eq!(
            after_attempt(&busy, 0, now),
            (EmailStatus::Pending, Some(now + TimeDelta::minutes(1)))
        );
        assert_eq!(
            after_attempt(&busy, 4, now),
            (EmailStatus::Pending, Some(now + TimeDelta::hours(6)))
        );
        assert_eq!(after_attempt(&busy, 5, now), (EmailStatus::Failed, None));
        assert_eq!(
            after_attempt(&SendOutcome::Permanent("550 no such user".into()), 0, now),
            (EmailStatus::Failed, None)
        );
        assert_eq!(
            after_attempt(&SendOutcome::Sent("250 ok".into()), 2, now),
            (EmailStatus::Sent, None)
        );
    }

    #[test]
    fn invitation_words_come_in_the_shipped_languages_and_english_otherwise() {
        assert!(invitation_words("fr-CA").subject.contains("vous invite"));
        assert!(invitation_words("de").action.starts_with("Jetzt"));
        assert_eq!(invitation_words("ja"), invitation_words("en"));
        assert!(invitation_words("ar-EG").subject.contains("تدعوك"));
        assert!(reminder_words("ar").stop.contains("إيقاف"));
        assert!(stop_page_words("ar").button.contains("إيقاف"));
    }
}
