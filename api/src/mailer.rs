//! Email over SMTP: the service's mailer (its address, its SMTP sender behind
//! a small trait so tests can point it at a server of their own), which
//! formats the emails `app::email_text` composes as RFC 5322 messages and
//! hands the outbox's messages to the server. The dispatcher sends from the
//! outbox; nothing here blocks a request.

use std::sync::Arc;
use std::time::Duration;

use app::email_text::Composed;
use async_trait::async_trait;
use domain::email::SendOutcome;
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

/// Emails are formatted as text and HTML alternatives, from the operator's
/// address under the client's name.
impl app::emails::Formatter for Mailer {
    fn format(&self, client: &str, to: &str, email: &Composed) -> Result<Vec<u8>, String> {
        let to = to.parse::<Address>().map_err(|e| e.to_string())?;
        let mut message = Message::builder()
            .from(self.sender_for(client))
            .to(recipient(email.recipient_name.as_deref(), &to))
            .subject(&email.subject);
        if let Some(stop) = &email.unsubscribe {
            message = message
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{stop}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = message
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| e.to_string())?;
        Ok(message.formatted())
    }

    fn accepts(&self, to: &str) -> bool {
        to.parse::<Address>().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::emails::Formatter;

    fn mailer() -> Mailer {
        struct Nowhere;
        #[async_trait]
        impl MailSender for Nowhere {
            async fn send(&self, _: &Address, _: &Address, _: &[u8]) -> SendOutcome {
                SendOutcome::Permanent("not sent".into())
            }
        }
        Mailer {
            from: "Link API <connect@link.example>".parse().unwrap(),
            sender: Arc::new(Nowhere),
            public_url: "https://link.example".into(),
        }
    }

    #[test]
    fn a_message_has_both_parts_its_stop_headers_and_no_header_from_what_it_carries() {
        let email = Composed {
            subject: "Finish connecting\r\nBcc: eve@example.com".into(),
            recipient_name: Some("Ada\r\nBcc: eve@example.com".into()),
            text: "Hello\r\nBcc: eve@example.com".into(),
            html: "<p>Hello</p>".into(),
            unsubscribe: Some("https://link.example/stop?token=abc&locale=de".into()),
        };

        let raw = mailer()
            .format("Acme\nLending", "ada@example.com", &email)
            .unwrap();
        let raw = String::from_utf8(raw).unwrap();

        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(!headers.lines().any(|l| l.starts_with("Bcc:")), "{headers}");
        assert!(
            headers.contains("From: \"Acme Lending\" <connect@link.example>"),
            "{headers}"
        );
        assert!(
            headers.contains("List-Unsubscribe: <https://link.example/stop?token=abc&locale=de>"),
            "{headers}"
        );
        assert!(
            headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{headers}"
        );
        assert!(raw.contains("Content-Type: multipart/alternative") && raw.contains("text/html"));
        assert!(mailer().format("Acme", "not an address", &email).is_err());
    }
}
