//! What `PUT …/authorization` may carry: the values of an integration's
//! credential form, or OAuth tokens imported from elsewhere.

use std::collections::BTreeMap;

use crate::integration::{AuthMethod, CredentialField};
use crate::validation::{char_len, FieldError, ValidationErrors};

/// Longest value accepted for any field.
pub const MAX_VALUE_LEN: usize = 4096;
/// Longest lifetime an imported access token may claim, in seconds (a year).
pub const MAX_EXPIRES_IN: u64 = 31_536_000;

/// Validated authorization material, ready to be encrypted and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// The values of a credential form, by field name.
    Credentials(BTreeMap<String, String>),
    /// Tokens from an OAuth grant the client obtained itself.
    Tokens(ImportedTokens),
}

/// OAuth tokens handed over by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires, when known.
    pub expires_in: Option<u64>,
}

/// Checks `values` against how the integration authorizes. Every problem is
/// reported, and no message repeats a value.
pub fn validate(
    auth: &AuthMethod,
    values: BTreeMap<String, String>,
) -> Result<Authorization, ValidationErrors> {
    match auth {
        AuthMethod::Credentials(fields) => validate_form(fields, values).map(Authorization::Credentials),
        AuthMethod::OAuth2(_) => validate_tokens(values).map(Authorization::Tokens),
        AuthMethod::DesktopConnector => Err(ValidationErrors(vec![FieldError::new(
            "authorization",
            "DesktopConnector",
            "This platform is linked by its desktop connector when the agent reports in; it takes no credentials here.",
        )])),
    }
}

fn unknown_keys<'a>(
    errors: &mut ValidationErrors,
    keys: impl Iterator<Item = &'a String>,
    known: &[&str],
) {
    for key in keys.filter(|k| !known.contains(&k.as_str())) {
        errors.push(FieldError::new(
            key.clone(),
            "UnknownField",
            format!("`{key}` is not a field this platform takes."),
        ));
    }
}

fn check_length(errors: &mut ValidationErrors, name: &str, value: &str) -> bool {
    if char_len(value) > MAX_VALUE_LEN {
        errors.push(FieldError::new(
            name,
            "MaxLength",
            format!("{name} must be at most {MAX_VALUE_LEN} characters."),
        ));
        return false;
    }
    true
}

fn validate_form(
    fields: &[CredentialField],
    values: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    unknown_keys(&mut errors, values.keys(), &known);
    for field in fields {
        let value = values
            .get(&field.name)
            .map(String::as_str)
            .unwrap_or_default();
        if value.is_empty() {
            if field.required {
                errors.push(FieldError::new(
                    &field.name,
                    "Required",
                    format!("{} is required.", field.label),
                ));
            }
            continue;
        }
        if !check_length(&mut errors, &field.name, value) {
            continue;
        }
        let matches = field
            .pattern
            .as_deref()
            .is_none_or(|p| regex_lite::Regex::new(p).is_ok_and(|re| re.is_match(value)));
        if !matches {
            errors.push(FieldError::new(
                &field.name,
                "Pattern",
                format!("{} is not in the expected format.", field.label),
            ));
        }
    }
    let kept = values
        .into_iter()
        .filter(|(k, v)| known.contains(&k.as_str()) && !v.is_empty())
        .collect();
    errors.into_result(kept)
}

fn validate_tokens(values: BTreeMap<String, String>) -> Result<ImportedTokens, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    unknown_keys(
        &mut errors,
        values.keys(),
        &["accessToken", "refreshToken", "expiresIn"],
    );
    let access_token = match values.get("accessToken").filter(|v| !v.is_empty()) {
        None => {
            errors.push(FieldError::new(
                "accessToken",
                "Required",
                "accessToken is required to import OAuth tokens.",
            ));
            None
        }
        Some(token) => check_length(&mut errors, "accessToken", token).then(|| token.clone()),
    };
    let refresh_token = values
        .get("refreshToken")
        .filter(|v| !v.is_empty())
        .filter(|v| check_length(&mut errors, "refreshToken", v))
        .cloned();
    let expires_in = match values.get("expiresIn") {
        None => None,
        Some(raw) => {
            match raw.parse::<u64>() {
                Ok(seconds) if (1..=MAX_EXPIRES_IN).contains(&seconds) => Some(seconds),
                _ => {
                    errors.push(FieldError::new(
                    "expiresIn",
                    "Range",
                    format!("expiresIn must be a whole number of seconds from 1 to {MAX_EXPIRES_IN}."),
                ));
                    None
                }
            }
        }
    };
    match access_token {
        Some(access_token) if errors.is_empty() => Ok(ImportedTokens {
            access_token,
            refresh_token,
            expires_in,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::{ClientAuthMethod, FieldKind, OAuthSettings};

    fn form() -> AuthMethod {
        let field = |name: &str, required, pattern: Option<&str>| CredentialField {
            name: name.into(),
            label: name.to_uppercase(),
            kind: FieldKind::Text,
            secret: true,
            required,
            pattern: pattern.map(Into::into),
        };
        AuthMethod::Credentials(vec![
            field("apiKey", true, Some("^sk_[a-z]+$")),
            field("region", false, None),
        ])
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_valid_form_keeps_only_its_fields() {
        let ok = validate(&form(), map(&[("apiKey", "sk_live"), ("region", "")])).unwrap();

        assert_eq!(
            ok,
            Authorization::Credentials(map(&[("apiKey", "sk_live")]))
        );
    }

    #[test]
    fn every_problem_is_reported_without_repeating_values() {
        let errors =
            validate(&form(), map(&[("apiKey", "pk_SECRET"), ("extra", "x")])).unwrap_err();

        let fields: Vec<(&str, &str)> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.rule))
            .collect();
        assert_eq!(fields, [("extra", "UnknownField"), ("apiKey", "Pattern")]);
        assert!(errors.0.iter().all(|e| !e.message.contains("SECRET")));
        assert_eq!(
            validate(&form(), map(&[])).unwrap_err().0[0].rule,
            "Required"
        );
    }

    #[test]
    fn oauth_platforms_take_imported_tokens() {
        let oauth = AuthMethod::OAuth2(OAuthSettings {
            authorize_url: "a".into(),
            token_url: "t".into(),
            revoke_url: None,
            scopes: vec![],
            client_auth: ClientAuthMethod::Basic,
        });

        let ok = validate(
            &oauth,
            map(&[
                ("accessToken", "at"),
                ("refreshToken", "rt"),
                ("expiresIn", "3600"),
            ]),
        )
        .unwrap();
        let bad =
            validate(&oauth, map(&[("refreshToken", "rt"), ("expiresIn", "-1")])).unwrap_err();

        assert_eq!(
            ok,
            Authorization::Tokens(ImportedTokens {
                access_token: "at".into(),
                refresh_token: Some("rt".into()),
                expires_in: Some(3600)
            })
        );
        let rules: Vec<&str> = bad.0.iter().map(|e| e.rule).collect();
        assert_eq!(rules, ["Required", "Range"]);
    }

    #[test]
    fn desktop_connectors_take_nothing() {
        assert!(validate(&AuthMethod::DesktopConnector, map(&[("a", "b")])).is_err());
    }
}
