//! The emails Link API writes, composed in the reader's language: the
//! invitation (and its `mailto:` draft) and the reminder, each as a subject,
//! a text part and an HTML part. Formatting them as RFC 5322 messages is the
//! mail adapter's ([`crate::emails::Formatter`]).

use chrono::{DateTime, Utc};
use domain::email::{invitation_words, reminder_words};
use domain::reminder::ReminderTexts;

/// An email as composed: what the mail adapter formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    /// The recipient's name, shown beside the address.
    pub recipient_name: Option<String>,
    pub text: String,
    pub html: String,
    /// Where one click unsubscribes (`List-Unsubscribe`, with one-click `List-Unsubscribe-Post`).
    pub unsubscribe: Option<String>,
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

/// The invitation email: text and HTML, addressed to the recipient's name.
pub fn invitation(email: &InvitationEmail<'_>) -> Composed {
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
    Composed {
        subject: text.subject,
        recipient_name: email.recipient_name.map(str::to_owned),
        text: text.plain,
        html,
        unsubscribe: None,
    }
}

/// What a reminder email is made of.
pub struct ReminderEmail<'a> {
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

/// The reminder email: text and HTML, and the stop address for its
/// `List-Unsubscribe` and one-click `List-Unsubscribe-Post` headers.
pub fn reminder(email: &ReminderEmail<'_>) -> Composed {
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
    Composed {
        subject: texts.subject.clone(),
        recipient_name: None,
        text,
        html,
        unsubscribe: Some(email.stop_url.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_is_escaped_in_html_and_says_its_categories_in_the_readers_language() {
        let email = InvitationEmail {
            recipient_name: Some("Ada"),
            client: "Acme <b>Lending</b>",
            logo_url: Some("https://acme.example/logo.png"),
            locale: "fr",
            categories: &["banking".to_owned()],
            note: Some("Hi <there>"),
            share_url: "https://link.example/i/abc",
            expires_at: DateTime::UNIX_EPOCH,
        };

        let composed = invitation(&email);

        assert!(
            composed.html.contains("Acme &lt;b&gt;Lending"),
            "{}",
            composed.html
        );
        assert!(composed.html.contains("Hi &lt;there&gt;"));
        assert!(
            composed.text.contains("banque"),
            "in French: {}",
            composed.text
        );
        assert!(
            composed.text.contains("1 janvier 1970"),
            "the date in words: {}",
            composed.text
        );
        assert_eq!(composed.recipient_name.as_deref(), Some("Ada"));
    }

    #[test]
    fn a_reminder_names_what_is_missing_and_where_to_stop() {
        let texts = ReminderTexts {
            subject: "Finish connecting to Acme".into(),
            value: "Connected books <b>mean</b> a decision in days.\nNot weeks.".into(),
            call_to_action: "Finish now".into(),
        };
        let email = ReminderEmail {
            client: "Acme",
            logo_url: None,
            locale: "de",
            texts: &texts,
            missing: &[("accounting", true), ("banking", false)],
            journey_url: "https://link.example/link/company/1",
            stop_url: "https://link.example/link/company/1/reminders/stop?token=abc&locale=de",
        };

        let composed = reminder(&email);

        assert_eq!(composed.subject, "Finish connecting to Acme");
        assert!(
            composed.html.contains("&lt;b&gt;mean"),
            "the client's text is escaped in HTML"
        );
        assert!(
            composed.text.contains("Bankkonten (optional)"),
            "in German: {}",
            composed.text
        );
        assert_eq!(composed.unsubscribe.as_deref(), Some(email.stop_url));
    }
}
