//! A client's profile, and the redirect that ends a customer's journey.

use std::collections::BTreeMap;

use crate::validation::{
    char_len, check_control_characters, has_plain_origin, is_http_url, ControlCharacters,
    FieldError, ValidationErrors,
};

/// Longest URL accepted anywhere in a profile.
pub const MAX_URL_LEN: usize = 2000;
/// Most entries in `whiteListUrls`.
pub const MAX_WHITELIST: usize = 20;

/// How a client presents itself to its customers and where they return to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// A URL template with `{placeholders}`; empty when the client has none.
    pub redirect_url: String,
    pub logo_url: Option<String>,
    pub icon_url: Option<String>,
    /// Origins customers may be sent back to; empty allows any.
    pub whitelist_urls: Vec<String>,
}

fn check_url(errors: &mut ValidationErrors, field: &str, value: &str) {
    if char_len(value) > MAX_URL_LEN || !is_http_url(value) {
        errors.push(FieldError::new(
            field,
            "Url",
            format!(
                "{field} must be an http:// or https:// URL of at most {MAX_URL_LEN} characters."
            ),
        ));
    }
}

impl Profile {
    /// Checks every field and reports all problems.
    pub fn parse(
        name: Option<&str>,
        redirect_url: Option<&str>,
        logo_url: Option<&str>,
        icon_url: Option<&str>,
        whitelist_urls: Vec<String>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = name.map(str::trim).unwrap_or_default();
        if name.is_empty() || char_len(name) > 100 {
            errors.push(FieldError::new(
                "name",
                "Length",
                "name must hold 1 to 100 characters.",
            ));
        }
        // The name heads the journey page and is the display name of the client's emails.
        errors.collect(check_control_characters(
            "name",
            name,
            ControlCharacters::None,
        ));
        let redirect_url = match redirect_url.map(str::trim) {
            Some(url) => {
                if !url.is_empty() {
                    check_url(&mut errors, "redirectUrl", url);
                    if placeholder_in_origin(url) && whitelist_urls.is_empty() {
                        errors.push(FieldError::new(
                            "redirectUrl",
                            "PlaceholderInOrigin",
                            "redirectUrl may hold {placeholders} before its path (a dynamic host) only with \
                             whiteListUrls, one of which the filled origin must be exactly: a filled value \
                             must not choose where customers go.",
                        ));
                    }
                }
                url
            }
            None => {
                errors.push(FieldError::new(
                    "redirectUrl",
                    "Required",
                    "redirectUrl is required; an empty string leaves customers on the service's own page.",
                ));
                ""
            }
        };
        for (field, value) in [("logoUrl", logo_url), ("iconUrl", icon_url)] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                check_url(&mut errors, field, value);
                if is_http_url(value) && !has_plain_origin(value) {
                    // Its origin is written into the journey page's policy.
                    errors.push(FieldError::new(
                        field,
                        "Host",
                        format!(
                            "{field} must name its host plainly: letters, digits, hyphens and dots \
                             (or an IP address), an optional port, and no user name."
                        ),
                    ));
                }
            }
        }
        if whitelist_urls.len() > MAX_WHITELIST {
            errors.push(FieldError::new(
                "whiteListUrls",
                "MaxItems",
                format!("whiteListUrls holds at most {MAX_WHITELIST} URLs."),
            ));
        }
        for url in &whitelist_urls {
            check_url(&mut errors, "whiteListUrls", url);
        }
        errors.into_result(Self {
            name: name.to_owned(),
            redirect_url: redirect_url.to_owned(),
            logo_url: logo_url.filter(|v| !v.is_empty()).map(str::to_owned),
            icon_url: icon_url.filter(|v| !v.is_empty()).map(str::to_owned),
            whitelist_urls,
        })
    }
}

/// Whether a URL template has a `{` before its path: in the scheme, the
/// user information, the host or the port, where a filled value could send
/// the customer to another origin (`https://example.com{x}` with
/// `x=.evil.example`).
pub fn placeholder_in_origin(template: &str) -> bool {
    let authority_start = template.find("://").map_or(0, |i| i + 3);
    let origin_end = template[authority_start..]
        .find(['/', '?', '#'])
        .map_or(template.len(), |i| authority_start + i);
    template[..origin_end].contains('{')
}

/// The redirect URL of a journey's end: the template filled with `values`,
/// or `None` when a value could choose the origin: a placeholder before the
/// path (a dynamic host, see [`placeholder_in_origin`]) with no `allowed`
/// URLs to hold the filled origin to. With them, the caller still checks
/// that the filled origin is exactly one of theirs.
pub fn fill_redirect(
    template: &str,
    values: &BTreeMap<String, String>,
    allowed: &[String],
) -> Option<String> {
    (!placeholder_in_origin(template) || !allowed.is_empty())
        .then(|| fill_template(template, values))
}

/// Fills `{name}` placeholders from `values`; unknown names become empty.
/// Values are percent-encoded, so they cannot change the URL's structure.
pub fn fill_template(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push_str(&percent_encode(
                    values
                        .get(&after[..close])
                        .map(String::as_str)
                        .unwrap_or_default(),
                ));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders_are_filled_encoded_and_unknown_ones_emptied() {
        let url = fill_template(
            "https://app.example/{companyId}/done?code={statusCode}&msg={errorMessage}&x={missing}&raw={not a placeholder}",
            &values(&[("companyId", "c1"), ("statusCode", "403"), ("errorMessage", "User cancelled.")]),
        );

        assert_eq!(
            url,
            "https://app.example/c1/done?code=403&msg=User%20cancelled.&x=&raw={not a placeholder}"
        );
    }

    #[test]
    fn injected_values_cannot_change_the_url_structure() {
        let url = fill_template(
            "https://app.example/{name}",
            &values(&[("name", "x@evil.example/?a=b#c")]),
        );

        assert_eq!(url, "https://app.example/x%40evil.example%2F%3Fa%3Db%23c");
    }

    #[test]
    fn placeholders_before_the_path_are_refused_without_allowed_urls() {
        for template in [
            "https://example.com{x}",
            "https://example.com{x}/done",
            "https://{tenant}.example.com/done",
            "https://example.com:{port}/done",
            "https://user{x}@example.com/",
            "{scheme}://example.com/",
        ] {
            assert!(placeholder_in_origin(template), "{template}");
            assert_eq!(
                fill_redirect(template, &values(&[("x", ".evil.example")]), &[]),
                None
            );
            let errors =
                Profile::parse(Some("App"), Some(template), None, None, vec![]).unwrap_err();
            assert!(
                errors.0.iter().any(|e| e.rule == "PlaceholderInOrigin"),
                "{template}"
            );
        }
        for template in [
            "https://example.com/{x}",
            "https://example.com?x={x}",
            "https://example.com#{x}",
            "https://example.com/done",
        ] {
            assert!(!placeholder_in_origin(template), "{template}");
            let filled =
                fill_redirect(template, &values(&[("x", ".evil.example/@a")]), &[]).unwrap();
            assert!(filled.starts_with("https://example.com"), "{filled}");
            assert!(!filled.starts_with("https://example.com."), "{filled}");
        }
    }

    #[test]
    fn a_dynamic_host_is_filled_only_with_allowed_urls_to_hold_it_to() {
        let template = "https://{environment}.mybank.example/success";
        let allowed = vec!["https://acme.mybank.example".to_owned()];

        let saved = Profile::parse(Some("App"), Some(template), None, None, allowed.clone());
        let filled = fill_redirect(template, &values(&[("environment", "acme")]), &allowed);

        assert!(saved.is_ok(), "{saved:?}");
        assert_eq!(
            filled.as_deref(),
            Some("https://acme.mybank.example/success")
        );
    }

    #[test]
    fn profile_fields_are_checked_together() {
        let errors = Profile::parse(
            Some(""),
            Some("ftp://x"),
            Some("nope"),
            None,
            vec!["https://ok.example".into(), "bad".into()],
        )
        .unwrap_err();

        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "redirectUrl", "logoUrl", "whiteListUrls"]);
    }
}
