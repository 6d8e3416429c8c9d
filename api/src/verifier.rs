//! A client's verifier of the credentials a customer types: Link API cannot
//! reach real providers, so before it links a Credentials connection it may
//! call the client's own endpoint with them, signed as webhooks are. A 2xx
//! accepts them; a 4xx refuses them with the message it gives, which the
//! customer's form shows; anything else (a timeout, a 5xx, no answer) leaves
//! the connection as it was, to be tried again.

use std::time::Duration;

use app::ports::{VerifierAnswer, VerifierCalls};
use domain::integration::AuthMethod;
use domain::FieldError;

use crate::catalogue::Entry;
use crate::error::{ApiError, ApiResult};

/// How long a verifier has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

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

/// Calls verifiers over HTTP with reqwest: no redirects, [`TIMEOUT`] per
/// call, and private addresses refused unless webhooks may reach them.
pub struct HttpVerifier {
    client: reqwest::Client,
}

impl HttpVerifier {
    pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
        let client =
            crate::dispatcher::outbound_client(allow_private, TIMEOUT, "LinkAPI-Verifier/1")?;
        Ok(Self { client })
    }
}

#[async_trait::async_trait]
impl VerifierCalls for HttpVerifier {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: String) -> VerifierAnswer {
        let mut call = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            call = call.header(*name, value);
        }
        match call.body(body).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                VerifierAnswer::Status(status, response.text().await.unwrap_or_default())
            }
            Err(error) if error.is_timeout() => {
                VerifierAnswer::NoAnswer("no answer in time".into())
            }
            Err(error) => VerifierAnswer::NoAnswer(error.without_url().to_string()),
        }
    }
}
