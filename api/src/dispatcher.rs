//! The background work of a process (`app::workers`) with what it needs
//! here: webhooks sent over HTTP by [`HttpSender`], which refuses private
//! addresses unless allowed, event bodies as the API shows them, and the SMTP
//! mailer.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use app::clock::Clock;
use app::secrets::Cipher;
use app::webhooks::{Answer, EventBodies, WebhookSender};
use app::workers::{MailAdapter, Workers};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::Store;
use domain::webhook::is_public_ip;

use crate::events::EventBody;

/// How long a consumer has to answer.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Sends over HTTP with a 15-second timeout and no redirects; unless private
/// addresses are allowed, names that resolve to one are refused.
pub struct HttpSender {
    client: reqwest::Client,
    allow_private: bool,
}

/// A resolver that drops loopback and private addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public_ip(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addresses: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addresses)
        })
    }
}

impl HttpSender {
    pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
        Self::with_timeout(allow_private, SEND_TIMEOUT)
    }

    /// A sender that waits `timeout` for each answer.
    pub fn with_timeout(allow_private: bool, timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: outbound_client(allow_private, timeout, "LinkAPI-Webhooks/1")?,
            allow_private,
        })
    }
}

/// An HTTP client for calls to a client's own endpoints: `timeout` for each
/// answer, no redirects, and, unless private addresses are allowed, names
/// resolved to public addresses only.
pub fn outbound_client(
    allow_private: bool,
    timeout: Duration,
    agent: &str,
) -> Result<reqwest::Client, reqwest::Error> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(agent);
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build()
}

#[async_trait]
impl WebhookSender for HttpSender {
    async fn send(&self, url: &str, headers: &[(&str, String)], body: String) -> Answer {
        if !self.allow_private && !may_reach(url, false) {
            return Answer {
                error: Some(
                    "the address is loopback or private, which this service does not send to"
                        .into(),
                ),
                ..Answer::default()
            };
        }
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match request.send().await {
            Ok(response) => Answer {
                status: Some(response.status().as_u16()),
                retry_after: response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry_after_secs),
                error: None,
            },
            Err(error) if error.is_timeout() => Answer {
                error: Some("the consumer did not answer in time".into()),
                ..Answer::default()
            },
            Err(error) => Answer {
                error: Some(format!("could not deliver: {}", without_url(&error))),
                ..Answer::default()
            },
        }
    }
}

/// A reqwest error's description without the URL (which may hold a token).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "the consumer");
    }
    text
}

/// `Retry-After` in seconds, from a number of seconds or an HTTP date.
fn retry_after_secs(value: &str) -> Option<i64> {
    if let Ok(seconds) = value.trim().parse::<i64>() {
        return Some(seconds.max(0));
    }
    let at = DateTime::parse_from_rfc2822(value.trim()).ok()?;
    Some((at.with_timezone(&Utc) - Utc::now()).num_seconds().max(0))
}

/// Whether a consumer URL may be used: http(s) with a host and no
/// credentials, and, unless private addresses are allowed, not a loopback,
/// private or local address.
pub fn may_reach(url: &str, allow_private: bool) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return false;
    }
    match parsed.host() {
        None => false,
        Some(_) if allow_private => true,
        Some(url::Host::Domain(name)) => !domain::webhook::is_local_name(name),
        Some(url::Host::Ipv4(ip)) => is_public_ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public_ip(IpAddr::V6(ip)),
    }
}

/// Events are delivered as the API shows them.
struct WireEvents;

impl EventBodies for WireEvents {
    fn body(&self, event: &domain::webhook::Event) -> String {
        serde_json::to_string(&EventBody::from(event.clone())).unwrap_or_default()
    }
}

/// The background work of this service over `store` (see
/// [`app::workers`]): events delivered as the API shows them, with `sender`,
/// on `clock`; the link settings read as stored.
pub fn workers(
    store: Arc<dyn Store>,
    cipher: Cipher,
    sender: Arc<dyn WebhookSender>,
    clock: Arc<dyn Clock>,
) -> Workers {
    let settings = Arc::new(crate::client_settings::StoredSettings(store.clone()));
    Workers::new(
        store,
        settings,
        cipher,
        (sender, Arc::new(WireEvents)),
        clock,
    )
}

/// What the workers send email with: the SMTP mailer, when there is one.
pub fn mail_adapter(mailer: Option<crate::mailer::Mailer>) -> Option<MailAdapter> {
    mailer.map(|mailer| MailAdapter {
        public_url: mailer.public_url.clone(),
        transport: Arc::new(mailer.clone()),
        formatter: Arc::new(mailer),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_without_credentials_and_public_hosts_are_reachable() {
        assert!(may_reach("https://hooks.example.com/in", false));
        assert!(!may_reach("https://user:pw@hooks.example.com/in", false));
        assert!(!may_reach("ftp://hooks.example.com/in", false));
        assert!(!may_reach("http://127.0.0.1:9000/in", false));
        assert!(!may_reach("http://localhost/in", false));
        assert!(!may_reach("http://[::1]/in", false));
        assert!(!may_reach("http://169.254.169.254/latest", false));
        assert!(may_reach("http://127.0.0.1:9000/in", true));
        assert!(!may_reach("not a url", true));
    }

    #[tokio::test]
    async fn a_sender_for_public_addresses_only_never_reaches_loopback() {
        let sender = HttpSender::new(false).unwrap();

        for url in ["http://127.0.0.1:9/hook", "http://localhost:9/hook"] {
            let answer = sender.send(url, &[], "{}".into()).await;
            assert_eq!(answer.status, None, "{url}");
            assert!(answer.error.unwrap().contains("private"), "{url}");
        }
    }

    #[tokio::test]
    async fn names_that_resolve_to_private_addresses_are_refused_after_dns() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;

        let resolved = PublicOnly
            .resolve(reqwest::dns::Name::from_str("localhost").unwrap())
            .await;

        assert!(resolved.is_err());
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after_secs("120"), Some(120));
        assert_eq!(retry_after_secs("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
        assert_eq!(retry_after_secs("soon"), None);
    }
}
