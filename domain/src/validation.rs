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
        if !email.contains('@') || email.contains(char::is_whitespace) {
            self.push(FieldError::new(
                field,
                "Email",
                format!("{field} is not an email address."),
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

#[cfg(test)]
mod tests {
    use super::*;

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
