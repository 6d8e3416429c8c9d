//! Field-level validation failures, reported together rather than one at a time.

use std::fmt;

/// One rejected field: where, why, and which rule refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path as the caller sent it, e.g. `name` or `tags.region`.
    pub field: String,
    /// A sentence a developer can act on.
    pub message: String,
    /// A short, stable rule name, e.g. `MaxLength`.
    pub rule: &'static str,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            rule,
        }
    }
}

/// Every field error found in one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was pushed, otherwise these errors.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Keeps the value of `result`, or records its error.
    pub fn collect<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// An optional text, trimmed (empty counts as absent); longer than `max`
    /// characters, it is recorded as an error of `field`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Option<String> {
        let value = value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())?;
        if let Err(error) = check_control_characters(field, &value, ControlCharacters::LineBreaks) {
            self.push(error);
            return None;
        }
        if char_len(&value) > max {
            self.push(FieldError::new(
                field,
                "MaxLength",
                format!("{field} is at most {max} characters."),
            ));
            return None;
        }
        Some(value)
    }

    /// An optional email address, trimmed; one that is too long or is not an
    /// address is recorded as an error of `field`.
    pub fn optional_email(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let email = self.optional_text(field, value, 254)?;
        if !is_email_address(&email) {
            self.push(FieldError::new(
                field,
                "Email",
                format!("{field} is not an email address such as owner@example.com."),
            ));
            return None;
        }
        Some(email)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Which control characters a text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlCharacters {
    /// None at all: names, keys, single-line values.
    None,
    /// Only tab, line feed and carriage return: free text over several lines.
    LineBreaks,
}

/// A 400 of `field` when `value` holds a control character (NUL, escape,
/// and the like) beyond what `allowed` lets through: they break logs,
/// terminals, CSV exports and the C strings of other systems.
pub fn check_control_characters(
    field: &str,
    value: &str,
    allowed: ControlCharacters,
) -> Result<(), FieldError> {
    let refused = |c: char| {
        c.is_control()
            && !(allowed == ControlCharacters::LineBreaks && matches!(c, '\t' | '\n' | '\r'))
    };
    if value.chars().any(refused) {
        return Err(FieldError::new(
            field,
            "ControlCharacter",
            match allowed {
                ControlCharacters::None => format!("{field} must not hold control characters."),
                ControlCharacters::LineBreaks => format!(
                    "{field} must not hold control characters other than tabs and line breaks."
                ),
            },
        ));
    }
    Ok(())
}

/// Counts characters, not bytes: limits are stated to users in characters.
pub fn char_len(value: &str) -> usize {
    value.chars().count()
}

/// Whether `text` is an absolute http(s) URL with a host and no white space.
pub fn is_http_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !text.chars().any(char::is_whitespace)
}

/// The one rule for an email address, whether Link API emails it or only
/// records it: `local@domain`, the local part letters, digits and
/// ``!#$%&'*+/=?^_`{|}~-`` in dot-separated runs (at most 64 characters; no
/// quoted forms), the domain a name of at least two labels of letters,
/// digits and hyphens (no IP literal). Every SMTP server takes such an
/// address, and none of it can break a header.
pub fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let atom = |run: &str| {
        !run.is_empty()
            && run
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
    };
    let label = |run: &str| {
        !run.is_empty()
            && !run.starts_with('-')
            && !run.ends_with('-')
            && run.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    char_len(local) <= 64
        && local.split('.').all(atom)
        && domain.split('.').count() >= 2
        && domain.split('.').all(label)
}

/// Whether an http(s) URL names its origin plainly: a host of letters,
/// digits and hyphens between dots (or an IP literal), an optional port, and
/// nothing else (no user, no other character) before the path, query or
/// fragment. Only such an origin may be written into a page's
/// Content-Security-Policy, where `;` or a space would start a directive.
pub fn has_plain_origin(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (host_ok, port) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((literal, tail)) => (
                literal.parse::<std::net::Ipv6Addr>().is_ok(),
                match tail {
                    "" => None,
                    tail => Some(tail.strip_prefix(':').unwrap_or("x")),
                },
            ),
            None => (false, None),
        },
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let labels_ok = host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            (labels_ok, port)
        }
    };
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_have_one_plain_shape() {
        for good in [
            "owner@example.com",
            "o.w+n-er@mail.example.co.uk",
            "jürgen@müller.example",
        ] {
            assert!(is_email_address(good), "{good}");
        }
        for bad in [
            "a@[127.0.0.1]",
            "\"x\\\"y\"@b.example",
            "a@b",
            "a@@b.example",
            "a b@c.example",
            ".a@b.example",
            "a..b@c.example",
            "a@-b.example",
            "a@b.example\r\nBcc: x@y.example",
            "Ada <ada@example.com>",
            "@",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }

    #[test]
    fn plain_origins_are_hosts_ports_and_nothing_else() {
        for good in [
            "https://cdn.example/logo.png",
            "http://127.0.0.1:8080/a?b#c",
            "https://[::1]:443/x",
            "https://A-b.example",
        ] {
            assert!(has_plain_origin(good), "{good}");
        }
        for bad in [
            "https://x;report-uri/l.png",
            "https://x;sandbox",
            "https://user@cdn.example/",
            "https://cdn.example:port/",
            "https://a..example/",
            "https://a%3Bb.example/",
            "https://[nope]/",
            "https:///logo.png",
            "ftp://cdn.example/",
            "https://cdn.example :80/",
        ] {
            assert!(!has_plain_origin(bad), "{bad}");
        }
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_where_allowed() {
        for text in ["a\0b", "a\u{1b}[31m", "a\u{7f}", "a\u{85}"] {
            assert!(
                check_control_characters("f", text, ControlCharacters::None).is_err(),
                "{text:?}"
            );
            assert!(
                check_control_characters("f", text, ControlCharacters::LineBreaks).is_err(),
                "{text:?}"
            );
        }
        assert!(check_control_characters("f", "a\tb\r\nc", ControlCharacters::None).is_err());
        assert!(check_control_characters("f", "a\tb\r\nc", ControlCharacters::LineBreaks).is_ok());
        assert!(check_control_characters("f", "Café – ünïcode", ControlCharacters::None).is_ok());
    }
}
