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
