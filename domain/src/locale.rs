//! Locale tags (`en`, `fr-CA`) and texts keyed by them.

use std::collections::BTreeMap;

use crate::validation::{FieldError, ValidationErrors};

/// Whether `text` is a locale tag such as `en` or `fr-CA`: parts of one to
/// eight letters or digits joined by hyphens, at most 35 characters.
pub fn is_locale_tag(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 35
        && text.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// The language of a locale tag: `fr` for `fr-CA`.
pub fn language_of(locale: &str) -> &str {
    locale.split('-').next().unwrap_or(locale)
}

/// Checks texts keyed by locale then by name (`field` is where they are):
/// at most `max_locales` locales, each a locale tag, and each text as
/// `check(field of the text, its name, the text)` says.
pub(crate) fn check_texts_by_locale(
    errors: &mut ValidationErrors,
    field: &str,
    texts: &BTreeMap<String, BTreeMap<String, String>>,
    max_locales: usize,
    check: impl Fn(&str, &str, &str) -> Option<FieldError>,
) {
    if texts.len() > max_locales {
        errors.push(FieldError::new(
            field,
            "MaxProperties",
            format!("{field} holds at most {max_locales} locales."),
        ));
    }
    for (locale, texts) in texts {
        let field = format!("{field}.{}", locale.escape_debug());
        if !is_locale_tag(locale) {
            errors.push(FieldError::new(
                field.clone(),
                "Locale",
                format!("{field} is not a locale such as en or fr-CA."),
            ));
        }
        for (name, text) in texts {
            let field = format!("{field}.{}", name.escape_debug());
            if let Some(error) = check(&field, name, text) {
                errors.push(error);
            }
        }
    }
}
