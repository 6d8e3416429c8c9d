//! The release server under test, as a child process on loopback.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::process::{Child, Command};

/// The API key the server is bootstrapped with.
pub const API_KEY: &str = "bench-bootstrap-key-0123456789";
/// 32 bytes of 0x42, base64: secrets in a benchmark protect nothing.
const ENCRYPTION_KEY: &str = "1:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

/// A running `link-api serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    peak_rss_kib: Arc<AtomicU64>,
}

impl Server {
    /// Starts the binary on `database_url` with `connections` database
    /// connections, and waits until it answers.
    pub async fn start(
        binary: &Path,
        database_url: &str,
        connections: usize,
        extra: &[(&str, String)],
    ) -> Result<Self, String> {
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env("LINK_DATABASE_URL", database_url)
            .env("LINK_LISTEN", format!("127.0.0.1:{port}"))
            .env("LINK_PUBLIC_URL", &base)
            .env("LINK_BOOTSTRAP_API_KEY", API_KEY)
            .env("LINK_ENCRYPTION_KEY", ENCRYPTION_KEY)
            .env("LINK_DATABASE_MAX_CONNECTIONS", connections.to_string())
            .env("LINK_RATE_LIMIT_PER_MINUTE", "0")
            .env("LINK_DISPATCH_INTERVAL_MS", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (name, value) in extra {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Self {
            child,
            base,
            peak_rss_kib: Arc::new(AtomicU64::new(0)),
        };
        server.wait_until_ready().await?;
        server.sample_memory();
        Ok(server)
    }

    async fn wait_until_ready(&self) -> Result<(), String> {
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(answer) = http.get(format!("{}/readyz", self.base)).send().await {
                if answer.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server did not become ready within a minute".into())
    }

    /// Samples the resident set every 20 ms, keeping the highest since the last reset.
    fn sample_memory(&self) {
        let Some(pid) = self.child.id() else { return };
        let peak = self.peak_rss_kib.clone();
        tokio::spawn(async move {
            let path = format!("/proc/{pid}/status");
            while let Ok(status) = tokio::fs::read_to_string(&path).await {
                if let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }

    /// The highest resident set seen since the last call, in MiB, and starts anew.
    pub fn take_peak_rss_mib(&self) -> f64 {
        self.peak_rss_kib.swap(0, Ordering::Relaxed) as f64 / 1024.0
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A call with the bench's API key and its JSON answer, or why there was none.
pub async fn api(request: reqwest::RequestBuilder) -> Result<serde_json::Value, String> {
    let answer = request
        .basic_auth(API_KEY, Option::<&str>::None)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !answer.status().is_success() {
        let (status, path) = (answer.status(), answer.url().path().to_owned());
        let text = answer.text().await.unwrap_or_default();
        return Err(format!("{status} from {path}: {text}"));
    }
    answer.json().await.map_err(|e| e.to_string())
}
