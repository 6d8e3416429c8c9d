//! Settings: each one a command-line option and an environment variable,
//! checked at start with an error that names the variable.

use std::net::ToSocketAddrs;
use std::time::Duration;

use base64::Engine;
use clap::{Args, ValueEnum};
use persistence::{StoreKind, StoreOptions};
use secrecy::{ExposeSecret, SecretString};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Every setting of the service.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Where data is kept: `sqlite://FILE` (created if missing) or
    /// `postgres://USER@HOST:PORT/DATABASE`.
    #[arg(
        long,
        env = "LINK_DATABASE_URL",
        default_value = "sqlite://link-api.db",
        global = true
    )]
    pub database_url: String,

    /// The address and port to listen on.
    #[arg(
        long,
        env = "LINK_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: String,

    /// The URL at which callers reach the service; Link URLs are built under it.
    #[arg(
        long,
        env = "LINK_PUBLIC_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    pub public_url: String,

    /// Keys that encrypt stored secrets: `VERSION:BASE64` of 32 bytes each,
    /// separated by commas (a bare BASE64 key is version 1). The highest version encrypts.
    #[arg(
        long,
        env = "LINK_ENCRYPTION_KEY",
        hide_env_values = true,
        global = true
    )]
    pub encryption_key: Option<SecretString>,

    /// The API key given to the first client on an empty store, instead of a random one.
    /// At least 20 characters; letters, digits, `-` and `_`.
    #[arg(
        long,
        env = "LINK_BOOTSTRAP_API_KEY",
        hide_env_values = true,
        global = true
    )]
    pub bootstrap_api_key: Option<SecretString>,

    /// `pretty` or `json` log lines. The level comes from `RUST_LOG` (default `info`).
    #[arg(
        long,
        env = "LINK_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Most database connections this instance opens.
    #[arg(
        long,
        env = "LINK_DATABASE_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub database_max_connections: u32,

    /// Seconds a request waits for the database before answering 503.
    #[arg(
        long,
        env = "LINK_DATABASE_TIMEOUT_SECS",
        default_value_t = 5,
        global = true
    )]
    pub database_timeout_secs: u64,

    /// A JSON file of extra catalogue entries (same shape as `api/catalogue/integrations.json`);
    /// an entry with a shipped key replaces that entry.
    #[arg(long, env = "LINK_CATALOGUE_FILE", global = true)]
    pub catalogue_file: Option<std::path::PathBuf>,

    /// Seconds between rounds of the OAuth token refresher.
    #[arg(
        long,
        env = "LINK_REFRESH_INTERVAL_SECS",
        default_value_t = 30,
        global = true
    )]
    pub refresh_interval_secs: u64,

    /// Access tokens expiring within this many seconds are refreshed.
    #[arg(
        long,
        env = "LINK_REFRESH_MARGIN_SECS",
        default_value_t = 120,
        global = true
    )]
    pub refresh_margin_secs: u64,

    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(
        long,
        env = "LINK_MAX_BODY_BYTES",
        default_value_t = 262_144,
        global = true
    )]
    pub max_body_bytes: usize,

    /// The SMTP server Link API sends email through (invitations with `"send": true`):
    /// `smtps://USER:PASSWORD@HOST:465` (TLS), `smtp://USER:PASSWORD@HOST:587?tls=required`
    /// (STARTTLS) or `smtp://HOST:25` (plain, for a relay on the same machine). Unset: no email.
    #[arg(long, env = "LINK_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<SecretString>,

    /// The sender of those emails, such as `Acme Lending <connect@acme.example>`; required with
    /// `LINK_SMTP_URL`.
    #[arg(long, env = "LINK_SMTP_FROM", global = true)]
    pub smtp_from: Option<String>,

    /// The longest one SMTP exchange may take, from connecting to the server's last answer, in
    /// seconds; past it the email is tried again later. 1 to 300.
    #[arg(
        long,
        env = "LINK_SMTP_TIMEOUT_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=300),
        global = true
    )]
    pub smtp_timeout_secs: u64,

    /// How often the webhook dispatcher looks for work, in milliseconds; 0
    /// turns it off in this process (another replica can deliver).
    #[arg(
        long,
        env = "LINK_DISPATCH_INTERVAL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub dispatch_interval_ms: u64,

    /// How long a client has to send a request's headers, and then its body,
    /// before it gets 408.
    #[arg(
        long,
        env = "LINK_CLIENT_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub client_timeout_secs: u64,

    /// On SIGTERM or SIGINT, how long requests in flight (and background
    /// rounds) may take to finish before the process exits anyway.
    #[arg(
        long,
        env = "LINK_SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout_secs: u64,

    /// Requests per minute each API key, each company's tokens, and each
    /// address on the public paths (journey pages, the Sandbox, invitation
    /// exchange) may make, refilled continuously; 0 turns every rate limit off.
    #[arg(
        long,
        env = "LINK_RATE_LIMIT_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_per_minute: u32,

    /// How many requests may come at once before the per-minute rate applies.
    #[arg(
        long,
        env = "LINK_RATE_LIMIT_BURST",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_burst: u32,

    /// Failed authentications one address may make a minute; beyond them its
    /// requests are refused with 429 until the allowance refills. Off when
    /// rate limiting is off.
    #[arg(
        long,
        env = "LINK_AUTH_FAILURES_PER_MINUTE",
        default_value_t = 20,
        global = true
    )]
    pub auth_failures_per_minute: u32,

    /// Proxies whose `Forwarded` or `X-Forwarded-For` headers name the
    /// client's address: IP addresses or networks, comma-separated (e.g.
    /// `10.0.0.0/8,127.0.0.1`). From anyone else those headers are ignored.
    #[arg(long, env = "LINK_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: String,

    /// Whether webhooks may be sent to loopback and private addresses. Left
    /// unset, they may only when the public URL is itself local.
    #[arg(long, env = "LINK_WEBHOOK_ALLOW_PRIVATE", global = true)]
    pub webhook_allow_private: Option<bool>,
}

/// A setting that cannot be used, named by its environment variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

pub(crate) fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// Shortest bootstrap key accepted.
const MIN_BOOTSTRAP_KEY_LEN: usize = 20;

impl Settings {
    /// Whether webhooks may reach loopback and private addresses.
    pub fn webhooks_may_reach_private(&self) -> bool {
        self.webhook_allow_private.unwrap_or_else(|| {
            url::Url::parse(&self.public_url)
                .ok()
                .and_then(|u| u.host().map(|h| h.to_owned()))
                .is_some_and(|host| match host {
                    url::Host::Domain(name) => domain::webhook::is_local_name(&name),
                    url::Host::Ipv4(ip) => !domain::webhook::is_public_ip(ip.into()),
                    url::Host::Ipv6(ip) => !domain::webhook::is_public_ip(ip.into()),
                })
        })
    }

    /// The proxies whose forwarding headers are believed.
    pub fn proxies(&self) -> Result<crate::client_address::TrustedProxies, ConfigError> {
        crate::client_address::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|problem| invalid("LINK_TRUSTED_PROXIES", problem))
    }

    /// Checks every setting; the first problem found is returned.
    pub fn validate(&mut self) -> Result<(), ConfigError> {
        if StoreKind::of_url(&self.database_url).is_none() {
            return Err(invalid(
                "LINK_DATABASE_URL",
                "must start with sqlite:// or postgres://",
            ));
        }
        if self
            .listen
            .to_socket_addrs()
            .map(|mut a| a.next().is_none())
            .unwrap_or(true)
        {
            return Err(invalid(
                "LINK_LISTEN",
                format!(
                    "`{}` is not an address and port such as 127.0.0.1:8080",
                    self.listen
                ),
            ));
        }
        self.public_url = normalise_public_url(&self.public_url)?;
        if let Some(keys) = &self.encryption_key {
            parse_encryption_keys(keys.expose_secret())?;
        }
        if let Some(key) = &self.bootstrap_api_key {
            check_bootstrap_key(key.expose_secret())?;
        }
        if self.database_max_connections == 0 {
            return Err(invalid(
                "LINK_DATABASE_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        if self.database_timeout_secs == 0 {
            return Err(invalid("LINK_DATABASE_TIMEOUT_SECS", "must be at least 1"));
        }
        if self.client_timeout_secs == 0 {
            return Err(invalid("LINK_CLIENT_TIMEOUT_SECS", "must be at least 1"));
        }
        if self.rate_limit_per_minute > 0 && self.rate_limit_burst == 0 {
            return Err(invalid("LINK_RATE_LIMIT_BURST", "must be at least 1"));
        }
        if self.rate_limit_per_minute > 0 && self.auth_failures_per_minute == 0 {
            return Err(invalid(
                "LINK_AUTH_FAILURES_PER_MINUTE",
                "must be at least 1 while rate limits are on",
            ));
        }
        self.proxies()?;
        if let Some(url) = &self.smtp_url {
            crate::mailer::check_settings(url.expose_secret(), self.smtp_from.as_deref())?;
        }
        if self.refresh_interval_secs == 0 {
            return Err(invalid("LINK_REFRESH_INTERVAL_SECS", "must be at least 1"));
        }
        if self.max_body_bytes < 1024 {
            return Err(invalid("LINK_MAX_BODY_BYTES", "must be at least 1024"));
        }
        Ok(())
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            url: self.database_url.clone(),
            max_connections: self.database_max_connections,
            acquire_timeout: Duration::from_secs(self.database_timeout_secs),
        }
    }
}

fn normalise_public_url(raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(['?', '#', ' ']) => Ok(url.to_owned()),
        _ => Err(invalid(
            "LINK_PUBLIC_URL",
            format!("`{raw}` must be an http:// or https:// URL without query or fragment"),
        )),
    }
}

/// Parses `VERSION:BASE64[,VERSION:BASE64…]` into versioned 32-byte keys.
pub fn parse_encryption_keys(raw: &str) -> Result<Vec<(u32, Vec<u8>)>, ConfigError> {
    const VAR: &str = "LINK_ENCRYPTION_KEY";
    let mut keys: Vec<(u32, Vec<u8>)> = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (version, encoded) = match entry.split_once(':') {
            Some((v, k)) => (
                v.parse::<u32>().map_err(|_| {
                    invalid(VAR, format!("`{v}` is not a key version (a whole number)"))
                })?,
                k,
            ),
            None => (1, entry),
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| invalid(VAR, format!("key version {version} is not valid base64")))?;
        if bytes.len() != 32 {
            return Err(invalid(
                VAR,
                format!(
                    "key version {version} must decode to 32 bytes, not {}",
                    bytes.len()
                ),
            ));
        }
        if keys.iter().any(|(v, _)| *v == version) {
            return Err(invalid(
                VAR,
                format!("key version {version} is given twice"),
            ));
        }
        keys.push((version, bytes));
    }
    if keys.is_empty() {
        return Err(invalid(VAR, "is set but holds no key"));
    }
    Ok(keys)
}

/// Checks the shape of an operator-chosen API key.
pub fn check_bootstrap_key(key: &str) -> Result<(), ConfigError> {
    let allowed = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if key.len() < MIN_BOOTSTRAP_KEY_LEN || !allowed {
        return Err(invalid(
            "LINK_BOOTSTRAP_API_KEY",
            format!("must be at least {MIN_BOOTSTRAP_KEY_LEN} characters of letters, digits, `-` and `_`"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhooks_reach_private_addresses_by_default_only_from_a_local_service() {
        let with = |public_url: &str, allow: Option<bool>| {
            let mut cli = <crate::cli::Cli as clap::Parser>::try_parse_from([
                "link-api",
                "--public-url",
                public_url,
            ])
            .unwrap();
            cli.settings.webhook_allow_private = allow;
            cli.settings.webhooks_may_reach_private()
        };

        assert!(with("http://localhost:8080", None));
        assert!(with("http://127.0.0.1:8080", None));
        assert!(!with("https://link.example.com", None));
        assert!(with("https://link.example.com", Some(true)));
        assert!(!with("http://localhost:8080", Some(false)));
    }

    #[test]
    fn encryption_keys_take_versions() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);

        let keys = parse_encryption_keys(&format!("{key}, 2:{key}")).unwrap();

        assert_eq!(keys.iter().map(|(v, _)| *v).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn short_or_repeated_encryption_keys_are_refused() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);

        assert!(parse_encryption_keys(&short).is_err());
        assert!(parse_encryption_keys(&format!("1:{key},1:{key}")).is_err());
        assert!(parse_encryption_keys("1:not base64!").is_err());
    }

    #[test]
    fn public_urls_lose_their_trailing_slash() {
        assert_eq!(
            normalise_public_url("https://link.example.com/").unwrap(),
            "https://link.example.com"
        );
        assert!(normalise_public_url("ftp://x").is_err());
        assert!(normalise_public_url("http://x/?a=b").is_err());
    }
}
