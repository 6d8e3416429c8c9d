//! Email: the invitation and reminder messages (text and HTML, in the
//! customer's language), and the SMTP sender behind a small trait so tests can point it
//! at a server of their own. The dispatcher sends from the outbox; nothing
//! here blocks a request.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::email::{invitation_words, reminder_words, SendOutcome};
use domain::reminder::ReminderTexts;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{invalid, ConfigError};

/// Sends one formatted message to one recipient.
#[async_trait]
pub trait MailSender: Send + Sync {
    async fn send(&self, from: &Address, to: &Address, message: &[u8]) -> SendOutcome;
}

/// Sends through the SMTP server of `LINK_SMTP_URL`. Each exchange, from
/// connecting to the server's last answer, has one deadline: lettre's own
/// timeout bounds each step, not a server that accepts and never greets, or
/// answers a byte at a time.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    deadline: Duration,
}

impl SmtpSender {
    pub fn new(url: &str, deadline: Duration) -> Result<Self, lettre::transport::smtp::Error> {
        Ok(Self {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                .timeout(Some(deadline))
                .build(),
            deadline,
        })
    }
}

#[async_trait]
impl MailSender for SmtpSender {
    async fn send(&self, from: &Address, to: &Address, message: &[u8]) -> SendOutcome {
        let envelope = match lettre::address::Envelope::new(Some(from.clone()), vec![to.clone()]) {
            Ok(envelope) => envelope,
            Err(error) => return SendOutcome::Permanent(error.to_string()),
        };
        let exchange = self.transport.send_raw(&envelope, message);
        let Ok(answered) = tokio::time::timeout(self.deadline, exchange).await else {
            return SendOutcome::Temporary(format!(
                "the SMTP server did not finish within {} seconds",
                self.deadline.as_secs()
            ));
        };
        match answered {
            Ok(response) => SendOutcome::Sent(
                format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )
                .trim()
                .to_owned(),
            ),
            Err(error) if error.is_permanent() => SendOutcome::Permanent(error.to_string()),
            Err(error) => SendOutcome::Temporary(error.to_string()),
        }
    }
}

/// What this service sends email as, through what, and where the links in
/// its emails lead.
#[derive(Clone)]
pub struct Mailer {
    pub from: Mailbox,
    pub sender: Arc<dyn MailSender>,
    /// The service's public address (`LINK_PUBLIC_URL`).
    pub public_url: String,
}

/// Checks `LINK_SMTP_URL` and `LINK_SMTP_FROM` together.
pub fn check_settings(url: &str, from: Option<&str>) -> Result<(), ConfigError> {
    SmtpSender::new(url, Duration::from_secs(1))
        .map_err(|e| invalid("LINK_SMTP_URL", format!("is not an SMTP URL: {e}")))?;
    let from = from.ok_or_else(|| invalid("LINK_SMTP_FROM", "is required with LINK_SMTP_URL"))?;
    from.parse::<Mailbox>().map_err(|e| {
        invalid(
            "LINK_SMTP_FROM",
            format!("is not one address such as `Acme <connect@acme.example>`: {e}"),
        )
    })?;
    Ok(())
}

impl Mailer {
    /// The mailer the settings ask for; `None` without `LINK_SMTP_URL`.
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Option<Self>, ConfigError> {
        use secrecy::ExposeSecret;
        let Some(url) = &settings.smtp_url else {
            return Ok(None);
        };
        check_settings(url.expose_secret(), settings.smtp_from.as_deref())?;
        let from = settings
            .smtp_from
            .as_deref()
            .unwrap_or_default()
            .parse::<Mailbox>()
            .map_err(|e| invalid("LINK_SMTP_FROM", e.to_string()))?;
        let sender = SmtpSender::new(
            url.expose_secret(),
            Duration::from_secs(settings.smtp_timeout_secs),
        )
        .map_err(|e| invalid("LINK_SMTP_URL", format!("is not an SMTP URL: {e}")))?;
        Ok(Some(Self {
            from,
            sender: Arc::new(sender),
            public_url: settings.public_url.clone(),
        }))
    }

    /// Who a client's emails are from: the client's profile name with the
    /// operator's address (`LINK_SMTP_FROM`), so no client's mail goes out
    /// under another's name. Control characters never reach the header.
    pub fn sender_for(&self, client_name: &str) -> Mailbox {
        let name: String = client_name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let name = name.trim();
        Mailbox::new(
            Some(name.to_owned()).filter(|n| !n.is_empty()),
            self.from.email.clone(),
        )
    }
}

/// What an invitation email is made of.
pub struct InvitationEmail<'a> {
    pub recipient_name: Option<&'a str>,
    pub client: &'a str,
    /// An absolute http(s) logo address, shown at the top of the HTML part.
    pub logo_url: Option<&'a str>,
    pub locale: &'a str,
    pub categories: &'a [String],
    /// The inviter's own words.
    pub note: Option<&'a str>,
    pub share_url: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// The category names of the email, in its language.
fn category_name(language: &str, category: &str) -> String {
    let names: [&str; 3] = match language {
        "fr" => ["comptabilité", "banque", "commerce"],
        "de" => ["Buchhaltung", "Bankkonten", "Handel"],
        "es" => ["contabilidad", "banca", "comercio"],
        "ar" => ["المحاسبة", "الحسابات المصرفية", "التجارة"],
        _ => ["accounting", "banking", "commerce"],
    };
    domain::link_settings::CATEGORIES
        .iter()
        .position(|c| *c == category)
        .map_or_else(|| category.to_owned(), |i| names[i].to_owned())
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

/// The HTML part of an email: the client's logo (an absolute http(s)
/// address) at the top, then `content` (HTML whose values the caller escaped).
fn html_part(locale: &str, client: &str, logo_url: Option<&str>, content: &str) -> String {
    let logo = logo_url
        .filter(|url| domain::validation::is_http_url(url))
        .map(|url| {
            format!(
                "<p><img src=\"{}\" alt=\"{}\" height=\"40\"></p>",
                escape(url),
                escape(client)
            )
        })
        .unwrap_or_default();
    let language = domain::locale::language_of(locale).to_ascii_lowercase();
    let direction = if domain::customer_pages::right_to_left(&language) {
        "rtl"
    } else {
        "ltr"
    };
    format!(
        "<!doctype html><html lang=\"{}\" dir=\"{direction}\"><body style=\"font-family: sans-serif; line-height: 1.5\">{logo}{content}</body></html>",
        escape(locale)
    )
}

/// A link drawn as a button.
fn button(url: &str, label: &str) -> String {
    format!(
        "<p><a href=\"{}\" style=\"display: inline-block; padding: .6em 1.2em; background: #3b3bc4; color: #fff; text-decoration: none; border-radius: .4em\">{}</a></p>",
        escape(url),
        escape(label)
    )
}

/// The recipient as a header: a name never with a control character in it
/// (the API refuses line breaks; this keeps the header whole whatever it gets).
fn recipient(name: Option<&str>, address: &Address) -> Mailbox {
    let name = name.map(|n| {
        n.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    });
    Mailbox::new(name, address.clone())
}

/// An invitation's words in its language, filled in.
struct InvitationText {
    subject: String,
    greeting: String,
    body: String,
    action: String,
    expiry: String,
    ignore: String,
    /// The plain text a person reads: the words, the inviter's note and the link.
    plain: String,
}

fn invitation_text(email: &InvitationEmail<'_>) -> InvitationText {
    let language = domain::locale::language_of(email.locale);
    let words = invitation_words(email.locale);
    let categories = email
        .categories
        .iter()
        .map(|c| category_name(language, c))
        .collect::<Vec<_>>()
        .join(", ");
    let fill = |text: &str| {
        text.replace("{client}", email.client)
            .replace("{categories}", &categories)
            .replace("{name}", email.recipient_name.unwrap_or_default())
            .replace(
                "{date}",
                &domain::email::spoken_date(email.expires_at, email.locale),
            )
    };
    let greeting = if email.recipient_name.is_some() {
        fill(&words.greeting)
    } else {
        fill(&words.greeting).replace(" ,", ",").replace(" :", ":")
    };
    let (body, expiry, ignore) = (fill(&words.body), fill(&words.expiry), fill(&words.ignore));
    let note = email
        .note
        .map(|n| format!("\n\n> {}", n.replace('\n', "\n> ")))
        .unwrap_or_default();
    let plain = format!(
        "{greeting}\n\n{body}{note}\n\n{}: {}\n\n{expiry}\n{ignore}\n",
        words.action, email.share_url
    );
    InvitationText {
        subject: fill(&words.subject),
        greeting,
        body,
        action: words.action,
        expiry,
        ignore,
        plain,
    }
}

/// An invitation as a `mailto:` address (to the recipient, if known) whose
/// subject and body are the invitation email's words, for a person to send
/// from their own email app.
pub fn invitation_mailto(email: &InvitationEmail<'_>, to: Option<&str>) -> String {
    let text = invitation_text(email);
    use domain::profile::percent_encode as encode;
    let recipient = to
        .map(|to| encode(to).replace("%40", "@"))
        .unwrap_or_default();
    format!(
        "mailto:{recipient}?subject={}&body={}",
        encode(&text.subject),
        encode(&text.plain)
    )
}

/// The invitation email, formatted (RFC 5322, text and HTML alternatives).
pub fn invitation_message(
    from: &Mailbox,
    to: &Address,
    email: &InvitationEmail<'_>,
) -> Result<Vec<u8>, String> {
    let text = invitation_text(email);
    let note_html = email
        .note
        .map(|n| {
            format!(
                "<blockquote>{}</blockquote>",
                escape(n).replace('\n', "<br>")
            )
        })
        .unwrap_or_default();
    let html = html_part(
        email.locale,
        email.client,
        email.logo_url,
        &format!(
            "<p>{}</p><p>{}</p>{note_html}{}<p style=\"color: #555\">{}<br>{}</p>",
            escape(&text.greeting),
            escape(&text.body),
            button(email.share_url, &text.action),
            escape(&text.expiry),
            escape(&text.ignore),
        ),
    );
    let message = Message::builder()
        .from(from.clone())
        .to(recipient(email.recipient_name, to))
        .subject(text.subject)
        .multipart(MultiPart::alternative_plain_html(text.plain, html))
        .map_err(|e| e.to_string())?;
    Ok(message.formatted())
}

/// What a reminder email is made of.
pub struct ReminderEmail<'a> {
    pub recipient: &'a Address,
    pub client: &'a str,
    /// An absolute http(s) logo address, shown at the top of the HTML part.
    pub logo_url: Option<&'a str>,
    pub locale: &'a str,
    /// The client's texts (or the shipped ones) in that locale.
    pub texts: &'a ReminderTexts,
    /// The categories still to connect, with whether each is required.
    pub missing: &'a [(&'a str, bool)],
    pub journey_url: &'a str,
    /// Where one click stops the company's reminders.
    pub stop_url: &'a str,
}

/// The reminder email, formatted (RFC 5322, text and HTML alternatives),
/// with `List-Unsubscribe` and one-click `List-Unsubscribe-Post` headers.
pub fn reminder_message(from: &Mailbox, email: &ReminderEmail<'_>) -> Result<Vec<u8>, String> {
    let language = domain::locale::language_of(email.locale);
    let words = reminder_words(email.locale);
    let categories = email
        .missing
        .iter()
        .map(|(category, required)| {
            let name = category_name(language, category);
            if *required {
                name
            } else {
                format!("{name} ({})", words.optional)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let missing = words.missing.replace("{categories}", &categories);
    let why = words.why.replace("{client}", email.client);
    let texts = email.texts;
    let text = format!(
        "{}\n\n{missing}\n\n{}: {}\n\n--\n{why}\n{}: {}\n",
        texts.value, texts.call_to_action, email.journey_url, words.stop, email.stop_url
    );
    let html = html_part(
        email.locale,
        email.client,
        email.logo_url,
        &format!(
            "<p>{}</p><p>{}</p>{}<p style=\"color: #555\">{}<br><a href=\"{}\" style=\"color: #555\">{}</a></p>",
            escape(&texts.value).replace('\n', "<br>"),
            escape(&missing),
            button(email.journey_url, &texts.call_to_action),
            escape(&why),
            escape(email.stop_url),
            escape(&words.stop),
        ),
    );
    let message = Message::builder()
        .from(from.clone())
        .to(recipient(None, email.recipient))
        .subject(&texts.subject)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", email.stop_url),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())?;
    Ok(message.formatted())
}

#[async_trait]
impl app::emails::MailTransport for Mailer {
    async fn send(&self, to: &str, message: &[u8]) -> SendOutcome {
        match to.parse::<Address>() {
            Ok(to) => self.sender.send(&self.from.email, &to, message).await,
            Err(error) => {
                SendOutcome::Permanent(format!("the recipient is not an address: {error}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_email_has_both_parts_escaped_and_no_header_from_the_inviters_words() {
        let from: Mailbox = "Acme <connect@acme.example>".parse().unwrap();
        let to: Address = "ada@example.com".parse().unwrap();
        let email = InvitationEmail {
            recipient_name: Some("Ada\r\nBcc: eve@example.com"),
            client: "Acme <b>Lending</b>",
            logo_url: Some("https://acme.example/logo.png"),
            locale: "fr",
            categories: &["banking".to_owned()],
            note: Some("Hi\r\nBcc: eve@example.com"),
            share_url: "https://link.example/i/abc",
            expires_at: DateTime::UNIX_EPOCH,
        };

        let raw = String::from_utf8(invitation_message(&from, &to, &email).unwrap()).unwrap();

        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(!headers.lines().any(|l| l.starts_with("Bcc:")), "{headers}");
        assert!(raw.contains("Content-Type: multipart/alternative"));
        assert!(raw.contains("text/html"));
        assert!(raw.contains("banque"), "in French");
    }

    #[test]
    fn a_reminder_email_has_both_parts_its_stop_headers_and_no_header_from_the_texts() {
        let from: Mailbox = "Acme <connect@acme.example>".parse().unwrap();
        let to: Address = "owner@example.com".parse().unwrap();
        let texts = ReminderTexts {
            subject: "Finish connecting to Acme".into(),
            value: "Connected books <b>mean</b> a decision in days.\nNot weeks.".into(),
            call_to_action: "Finish now".into(),
        };
        let email = ReminderEmail {
            recipient: &to,
            client: "Acme",
            logo_url: Some("https://acme.example/logo.png"),
            locale: "de",
            texts: &texts,
            missing: &[("accounting", true), ("banking", false)],
            journey_url: "https://link.example/link/company/1",
            stop_url: "https://link.example/link/company/1/reminders/stop?token=abc&locale=de",
        };

        let raw = String::from_utf8(reminder_message(&from, &email).unwrap()).unwrap();

        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(headers.contains("List-Unsubscribe: <https://link.example/link/company/1/reminders/stop?token=abc&locale=de>"), "{headers}");
        assert!(
            headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{headers}"
        );
        assert!(
            headers.contains("Subject: Finish connecting to Acme"),
            "{headers}"
        );
        assert!(raw.contains("Content-Type: multipart/alternative") && raw.contains("text/html"));
        assert!(
            raw.contains("&lt;b&gt;mean"),
            "the client's text is escaped in HTML"
        );
        assert!(raw.contains("Bankkonten (optional)"), "in German: {raw}");
        if std::env::var_os("LINK_SHOW_EMAIL").is_some() {
            println!("{raw}");
        }
    }
}
