//! A client's verifier of the credentials a customer types: Link API cannot
//! reach real providers, so before it links a Credentials connection it may
//! call the client's own endpoint with them, signed as webhooks are. A 2xx
//! accepts them; a 4xx refuses them with the message it gives, which the
//! customer's form shows; anything else (a timeout, a 5xx, no answer) leaves
//! the connection as it was, to be tried again.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use domain::connection::Connection;
use domain::integration::AuthMethod;
use domain::ports::CredentialsVerifier;
use domain::secrets::SecretLocation;
use domain::FieldError;
use serde_json::json;

use crate::catalogue::Entry;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

/// How long a verifier has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The longest refusal message shown to a customer, in characters.
const MAX_MESSAGE: usize = 300;

/// What the verifier said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Refused, with the message for the customer.
    Refused(String),
    /// No usable answer: why, for the log.
    Unavailable(String),
}

/// Checks a verifier URL: a Credentials integration's, HTTPS (HTTP only to
/// loopback, where webhooks may reach private addresses), with no user
/// information, and not a private address unless those are allowed.
pub fn check_url(entry: &Entry, url: &str, allow_private: bool) -> ApiResult<()> {
    let refuse = |rule: &'static str, message: String| {
        Err(ApiError::field(FieldError::new(
            "credentialsVerifierUrl",
            rule,
            message,
        )))
    };
    if !matches!(entry.integration.auth, AuthMethod::Credentials(_)) {
        return refuse(
            "CredentialsOnly",
            format!(
                "{} takes no typed credentials, so it has no credentials verifier.",
                entry.integration.name
            ),
        );
    }
    let parsed = url::Url::parse(url).ok().filter(|_| url.len() <= 2048);
    let loopback = parsed.as_ref().is_some_and(|u| match u.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    });
    let scheme_ok = parsed.as_ref().is_some_and(|u| {
        u.scheme() == "https" || (u.scheme() == "http" && loopback && allow_private)
    });
    if !scheme_ok || !crate::dispatcher::may_reach(url, allow_private) {
        return refuse(
            "Url",
            "credentialsVerifierUrl must be an https URL of at most 2048 characters, without user \
             information, on a public address."
                .into(),
        );
    }
    Ok(())
}

/// Asks `verifier` whether `credentials` (typed for `connection`) are right.
pub async fn verify(
    state: &AppState,
    connection: &Connection,
    entry: &Entry,
    verifier: &CredentialsVerifier,
    credentials: &BTreeMap<String, String>,
) -> Result<Verdict, ApiError> {
    let secret = state
        .cipher
        .open(
            &verifier.secret,
            &SecretLocation::CredentialsVerifier(
                connection.client_id,
                entry.integration.key.clone(),
            )
            .context(),
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let secret =
        String::from_utf8(secret.to_vec()).map_err(|e| ApiError::Internal(e.to_string()))?;
    let body = json!({
        "type": "credentials.verification",
        "companyId": connection.company_id.to_string(),
        "connectionId": connection.id.to_string(),
        "platformKey": entry.integration.key.as_str(),
        "platformName": entry.integration.name,
        "credentials": credentials,
    })
    .to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let timestamp = Utc::now().timestamp();
    let signature = app::webhooks::sign(&secret, &id, timestamp, &body)
        .ok_or_else(|| ApiError::Internal("the verifier's secret cannot sign".into()))?;
    let client = crate::dispatcher::outbound_client(
        state.webhooks_may_reach_private,
        TIMEOUT,
        "LinkAPI-Verifier/1",
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let answer = client
        .post(&verifier.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let response = match answer {
        Ok(response) => response,
        Err(error) if error.is_timeout() => {
            return Ok(Verdict::Unavailable("no answer in time".into()))
        }
        Err(error) => return Ok(Verdict::Unavailable(error.without_url().to_string())),
    };
    let status = response.status();
    if status.is_success() {
        return Ok(Verdict::Accepted);
    }
    if !status.is_client_error() {
        return Ok(Verdict::Unavailable(format!("answered {status}")));
    }
    let text = response.text().await.unwrap_or_default();
    Ok(Verdict::Refused(refusal_message(&text)))
}

/// The message of a verifier's refusal, for the customer: the `message` of a
/// JSON body, or the text itself, without control characters and cut short.
fn refusal_message(text: &str) -> String {
    let said = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| text.to_owned());
    let clean: String = said
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.is_empty() {
        return "These details were not accepted.".into();
    }
    clean.chars().take(MAX_MESSAGE).collect()
}

/// The answer to give for a verdict that is not an acceptance.
pub fn refusal(verdict: Verdict, platform: &str) -> ApiError {
    match verdict {
        Verdict::Accepted => ApiError::Internal("an accepted verdict is no refusal".into()),
        Verdict::Refused(message) => ApiError::new(ErrorCode::CredentialsRefused, message),
        Verdict::Unavailable(why) => {
            tracing::warn!(%why, platform, "the credentials verifier gave no usable answer");
            ApiError::new(
                ErrorCode::CredentialsVerifierUnavailable,
                format!(
                    "The {platform} details could not be checked just now, so nothing was saved and the \
                     connection stays as it was; try again shortly."
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_shown_as_plain_short_text() {
        assert_eq!(
            refusal_message(r#"{"message": "Wrong\npassword"}"#),
            "Wrong password"
        );
        assert_eq!(refusal_message("Locked out"), "Locked out");
        assert_eq!(refusal_message("  "), "These details were not accepted.");
        assert_eq!(
            refusal_message(&"x".repeat(1000)).chars().count(),
            MAX_MESSAGE
        );
    }
}
