//! Tests of the `link-api` binary as an operator runs it.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_link-api");

/// The binary with a clean environment: only the given settings apply.
fn link_api(folder: &tempfile::TempDir) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(folder.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_committed_openapi_yaml_matches_the_code() {
    let folder = tempfile::tempdir().unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
            .unwrap_or_default();

    let generated = run(link_api(&folder).arg("openapi"));

    assert!(generated.status.success());
    assert!(
        text(&generated.stdout) == committed,
        "openapi.yaml is out of date with the code: run `make openapi` and commit the result"
    );
}

#[test]
fn help_names_every_setting_and_its_variable() {
    let folder = tempfile::tempdir().unwrap();

    let help = text(&run(link_api(&folder).arg("--help")).stdout);

    for variable in [
        "LINK_DATABASE_URL",
        "LINK_LISTEN",
        "LINK_PUBLIC_URL",
        "LINK_ENCRYPTION_KEY",
        "LINK_BOOTSTRAP_API_KEY",
        "LINK_LOG_FORMAT",
    ] {
        assert!(
            help.contains(variable),
            "--help should mention {variable}:\n{help}"
        );
    }
    for command in ["serve", "migrate", "openapi", "api-keys"] {
        assert!(help.contains(command), "--help should list {command}");
    }
}

#[test]
fn an_unusable_setting_stops_the_start_and_names_its_variable() {
    let folder = tempfile::tempdir().unwrap();
    let cases = [
        ("LINK_DATABASE_URL", "mysql://localhost/db"),
        ("LINK_LISTEN", "not an address"),
        ("LINK_PUBLIC_URL", "ftp://example.com"),
        ("LINK_ENCRYPTION_KEY", "c2hvcnQ="),
        ("LINK_BOOTSTRAP_API_KEY", "short"),
        ("LINK_LOG_FORMAT", "xml"),
        ("LINK_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
    ];
    for (variable, value) in cases {
        let output = run(link_api(&folder).arg("migrate").env(variable, value));

        assert!(
            !output.status.success(),
            "{variable}={value} should be refused"
        );
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(variable) || stderr.contains("--log-format"),
            "{variable}: {stderr}"
        );
    }
    assert!(
        !folder.path().join("link-api.db").exists(),
        "nothing was created"
    );
}

#[test]
fn migrate_creates_the_default_sqlite_file_and_can_run_again() {
    let folder = tempfile::tempdir().unwrap();

    let first = run(link_api(&folder).arg("migrate"));
    let second = run(link_api(&folder).arg("migrate"));

    assert!(
        first.status.success() && second.status.success(),
        "{}",
        text(&second.stderr)
    );
    assert!(folder.path().join("link-api.db").exists());
}

#[cfg(unix)]
#[test]
fn the_sqlite_files_are_readable_by_their_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();

    let migrated = run(link_api(&folder).arg("migrate"));

    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let mut checked = 0;
    for entry in std::fs::read_dir(folder.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("link-api.db") {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "the database and its key file at least");
}

#[test]
fn operators_create_list_and_revoke_keys() {
    let folder = tempfile::tempdir().unwrap();

    let no_client = run(link_api(&folder).args(["api-keys", "create"]));
    let created = run(link_api(&folder).args([
        "api-keys",
        "create",
        "--new-client",
        "Acme Lending",
        "--name",
        "ops",
    ]));
    let key = text(&created.stdout).trim().to_owned();
    let listed = text(&run(link_api(&folder).args(["api-keys", "list"])).stdout);
    let key_id = listed
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let revoked = run(link_api(&folder).args(["api-keys", "revoke", &key_id]));
    let after = text(&run(link_api(&folder).args(["api-keys", "list"])).stdout);

    assert!(!no_client.status.success());
    assert!(text(&no_client.stderr).contains("--new-client"));
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert_eq!(key.len(), 40);
    assert!(
        listed.contains("Acme Lending") && listed.contains("ops"),
        "{listed}"
    );
    assert!(!listed.contains(&key), "secrets are never listed");
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(after.contains("0 key(s)"), "{after}");
}

/// A running `link-api serve`, stopped when dropped.
struct Server {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

/// `link-api serve` on a free loopback port, logging JSON.
fn serving(folder: &tempfile::TempDir) -> Command {
    let mut command = link_api(folder);
    command.args(["--listen", "127.0.0.1:0", "--log-format", "json"]);
    command
}

impl Server {
    /// The port the server listens on, once it says so.
    fn port(&self) -> u64 {
        let listening = Self::wait_for(&self.stderr, |l| l.contains("\"listening\""));
        serde_json::from_str::<serde_json::Value>(&listening).unwrap()["port"]
            .as_u64()
            .unwrap()
    }

    fn start(command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// The next line of `stream` that satisfies `wanted`, within ten seconds.
    fn wait_for(stream: &mpsc::Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            let line = stream
                .recv_timeout(Duration::from_secs(10))
                .expect("the expected line in time");
            if wanted(&line) {
                return line;
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

#[tokio::test]
async fn the_first_start_prints_a_working_key_and_logs_carry_the_correlation_id() {
    let folder = tempfile::tempdir().unwrap();
    let server = Server::start(&mut serving(&folder));

    let port = server.port();
    let curl_line = Server::wait_for(&server.stdout, |l| l.trim_start().starts_with("curl "));
    let key = curl_line
        .split("Bearer ")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let response = reqwest::Client::new()
        .get(format!(
            "http://127.0.0.1:{port}/companies/{}",
            uuid::Uuid::new_v4()
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let correlation_id = response.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let log_line = Server::wait_for(&server.stderr, |l| {
        l.contains("request completed") && l.contains(&correlation_id)
    });

    assert_eq!(key.len(), 40);
    assert!(
        curl_line.contains("http://localhost:8080/companies"),
        "{curl_line}"
    );
    assert_eq!(response.status(), 404);
    let logged: serde_json::Value = serde_json::from_str(&log_line).unwrap();
    assert_eq!(logged["status"], 404);
    assert!(!log_line.contains(&key), "the key never reaches the log");
}

/// A token endpoint that takes `delay` to answer, on loopback.
fn slow_token_endpoint(delay: Duration) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 8192];
            let _ = stream.read(&mut buffer);
            std::thread::sleep(delay);
            let body = r#"{"access_token":"at-slow","token_type":"Bearer","expires_in":3600}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_stops() {
    let folder = tempfile::tempdir().unwrap();
    let token_port = slow_token_endpoint(Duration::from_secs(2));
    let catalogue = serde_json::json!([{
        "key": "slow", "name": "Slow Books", "sourceType": "Accounting", "brandColour": "#123456", "dataTypes": ["invoices"],
        "auth": {"kind": "oauth2", "authorizeUrl": format!("http://127.0.0.1:{token_port}/authorize"),
                 "tokenUrl": format!("http://127.0.0.1:{token_port}/token"), "scopes": ["read"], "clientAuth": "basic"}
    }]);
    std::fs::write(folder.path().join("catalogue.json"), catalogue.to_string()).unwrap();
    let key = "shutdown-test-key-0123456789";
    let server = Server::start(serving(&folder).args([
        "--bootstrap-api-key",
        key,
        "--catalogue-file",
        "catalogue.json",
        "--shutdown-timeout-secs",
        "10",
    ]));
    let port = server.port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let call = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        http.request(method, format!("{base}{path}"))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    let company: serde_json::Value = call(
        reqwest::Method::POST,
        "/companies",
        serde_json::json!({"name": "Acme"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let company = company["id"].as_str().unwrap().to_owned();
    call(
        reqwest::Method::PATCH,
        "/integrations/slow/settings",
        serde_json::json!({"oauthClientId": "id", "oauthClientSecret": "secret"}),
    )
    .await
    .unwrap();
    call(
        reqwest::Method::POST,
        &format!("/companies/{company}/consents"),
        serde_json::json!({"categories": ["accounting"]}),
    )
    .await
    .unwrap();
    let connection: serde_json::Value = call(
        reqwest::Method::POST,
        &format!("/companies/{company}/connections"),
        serde_json::json!({"platformKey": "slow"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let start = connection["linkUrl"]
        .as_str()
        .unwrap()
        .replace("http://localhost:8080", &base);
    let authorize = http.get(start).send().await.unwrap();
    let location = authorize.headers()["location"].to_str().unwrap().to_owned();
    let state = url_state(&location);

    let in_flight = tokio::spawn(
        http.get(format!("{base}/link/oauth/callback?code=c&state={state}"))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = http.get(format!("{base}/healthz")).send().await;
    let finished = in_flight.await.unwrap().unwrap();

    assert!(killed.success());
    assert!(refused.is_err(), "no new connections once stopping");
    assert_eq!(finished.status(), 200, "the request in flight was answered");
    assert!(finished
        .text()
        .await
        .unwrap()
        .contains("Slow Books is connected"));
    Server::wait_for(&server.stderr, |l| l.contains("\"stopped\""));
    let mut server = server;
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

fn url_state(url: &str) -> String {
    url.split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("state="))
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn secrets_never_reach_the_log_even_at_debug_level() {
    let folder = tempfile::tempdir().unwrap();
    let key = "log-test-key-0123456789abcdef";
    let server = Server::start(
        serving(&folder)
            .env("RUST_LOG", "debug")
            .args(["--bootstrap-api-key", key]),
    );
    let port = server.port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: serde_json::Value| {
        http.request(method, format!("{base}{path}"))
            .basic_auth(key, Some(""))
            .json(&body)
            .send()
    };
    let secrets = [
        "rk_live_LOGSECRETCREDENTIAL99",
        "log-secret-access-token",
        "log-secret-client-secret",
    ];
    call(
        reqwest::Method::PATCH,
        "/integrations/gbol/settings".into(),
        serde_json::json!({"oauthClientId": "id", "oauthClientSecret": secrets[2]}),
    )
    .await
    .unwrap();
    let company: serde_json::Value = call(
        reqwest::Method::POST,
        "/companies".into(),
        serde_json::json!({"name": "Acme"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let company = company["id"].as_str().unwrap().to_owned();
    call(
        reqwest::Method::POST,
        format!("/companies/{company}/consents"),
        serde_json::json!({"categories": ["accounting", "commerce"]}),
    )
    .await
    .unwrap();
    for (platform, material) in [
        ("exgd", serde_json::json!({"apiKey": secrets[0]})),
        ("gbol", serde_json::json!({"accessToken": secrets[1]})),
    ] {
        let connection: serde_json::Value = call(
            reqwest::Method::POST,
            format!("/companies/{company}/connections"),
            serde_json::json!({"platformKey": platform}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let path = format!(
            "/companies/{company}/connections/{}/authorization",
            connection["id"].as_str().unwrap()
        );
        assert_eq!(
            call(reqwest::Method::PUT, path, material)
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let marker = uuid::Uuid::new_v4();
    call(
        reqwest::Method::GET,
        format!("/companies/{marker}"),
        serde_json::json!({}),
    )
    .await
    .unwrap();
    let mut lines = Vec::new();
    loop {
        let line = Server::wait_for(&server.stderr, |_| true);
        let done = line.contains(&marker.to_string());
        lines.push(line);
        if done {
            break;
        }
    }

    assert!(lines.len() > 5, "the log was read");
    for secret in secrets.iter().chain([&key]) {
        assert!(
            lines.iter().all(|l| !l.contains(secret)),
            "{secret} reached the log"
        );
    }
}

#[tokio::test]
async fn operators_rotate_the_encryption_key_and_then_drop_the_old_one() {
    let folder = tempfile::tempdir().unwrap();
    let key = "rotation-test-key-0123456789abc";
    {
        let server = Server::start(serving(&folder).args(["--bootstrap-api-key", key]));
        let port = server.port();
        let patched = reqwest::Client::new()
            .patch(format!(
                "http://127.0.0.1:{port}/integrations/gbol/settings"
            ))
            .basic_auth(key, Some(""))
            .json(&serde_json::json!({"oauthClientId": "id", "oauthClientSecret": "s3cret"}))
            .send()
            .await
            .unwrap();
        assert_eq!(patched.status(), 200);
    }
    let old = std::fs::read_to_string(folder.path().join("link-api.db.key")).unwrap();
    let new = "2:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    let both = format!("1:{},{new}", old.trim());
    let keys = |keys: Option<&str>, args: &[&str]| {
        let mut command = link_api(&folder);
        if let Some(keys) = keys {
            command.env("LINK_ENCRYPTION_KEY", keys);
        }
        run(command.arg("keys").args(args))
    };

    let before = keys(None, &["status"]);
    let pending = keys(Some(&both), &["status"]);
    let rotated = keys(Some(&both), &["rotate", "--batch-size", "1"]);
    let alone = keys(Some(new), &["status"]);
    let bad_batch = keys(Some(&both), &["rotate", "--batch-size", "0"]);

    assert!(before.status.success(), "{}", text(&before.stderr));
    assert!(
        text(&before.stdout).contains("1        1  integration OAuth client secrets"),
        "{}",
        text(&before.stdout)
    );
    assert!(!pending.status.success());
    assert!(
        text(&pending.stderr).contains("1 secrets are not sealed with key version 2"),
        "{}",
        text(&pending.stderr)
    );
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    assert!(
        text(&rotated.stderr).contains("Re-encrypted 1 secrets"),
        "{}",
        text(&rotated.stderr)
    );
    assert!(alone.status.success(), "{}", text(&alone.stderr));
    assert!(
        text(&alone.stdout).contains("2        1  integration OAuth client secrets"),
        "{}",
        text(&alone.stdout)
    );
    assert!(!bad_batch.status.success());
}
