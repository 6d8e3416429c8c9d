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

impl Server {
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
    let server =
        Server::start(link_api(&folder).args(["--listen", "127.0.0.1:0", "--log-format", "json"]));

    let listening = Server::wait_for(&server.stderr, |l| l.contains("\"listening\""));
    let port = serde_json::from_str::<serde_json::Value>(&listening).unwrap()["port"]
        .as_u64()
        .unwrap();
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
