//! A small SMTP server on loopback for the tests: it speaks enough of the
//! protocol for a client such as lettre (EHLO, MAIL, RCPT, DATA, RSET, QUIT),
//! keeps every message it takes, refuses the recipients it is told to, and
//! can answer as a server that is busy (421) until told otherwise, one that
//! accepts and never greets, or a slow one whose every message moves a
//! test's clock on.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the server took.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, headers and body.
    pub data: String,
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    refused: Vec<String>,
    busy: bool,
    silent: bool,
    /// A clock moved on by so many seconds as each message is taken.
    slow: Option<(Arc<crate::receiver::ManualClock>, i64)>,
}

/// The server; it stops with the test's runtime.
#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = shared.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, state.clone()));
            }
        });
        Self { port, shared }
    }

    /// `smtp://127.0.0.1:PORT`, plain, as `LINK_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Answers `550` to this recipient from now on.
    pub fn refuse(&self, address: &str) {
        self.shared.lock().unwrap().refused.push(address.to_owned());
    }

    /// Answers every new session with `421` (try again later) while `busy`.
    pub fn set_busy(&self, busy: bool) {
        self.shared.lock().unwrap().busy = busy;
    }

    /// Accepts every new session and never says a word.
    pub fn set_silent(&self, silent: bool) {
        self.shared.lock().unwrap().silent = silent;
    }

    /// Moves `clock` on by `seconds` while each message is taken, as if the
    /// server took that long.
    pub fn take_each_message_for(&self, clock: Arc<crate::receiver::ManualClock>, seconds: i64) {
        self.shared.lock().unwrap().slow = Some((clock, seconds));
    }

    /// A server over a fresh database of `backend` that sends email through this one.
    pub async fn app(&self, backend: crate::Backend) -> crate::TestApp {
        crate::spawn_with(
            backend,
            &["--smtp-url", &self.url(), "--smtp-from", crate::MAIL_FROM],
        )
        .await
    }
}

/// The address inside `MAIL FROM:<…>` or `RCPT TO:<…>`.
fn address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}

async fn session(socket: tokio::net::TcpStream, shared: Arc<Mutex<Shared>>) {
    let silent = shared.lock().unwrap().silent;
    if silent {
        // Holds the connection open and answers nothing, as a broken server does.
        let _open = socket;
        std::future::pending::<()>().await;
        return;
    }
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let busy = shared.lock().unwrap().busy;
    if busy {
        let _ = write
            .write_all(b"421 4.3.2 busy, try again later\r\n")
            .await;
        return;
    }
    let _ = write.write_all(b"220 test SMTP ready\r\n").await;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250-test\r\n250 8BITMIME\r\n"
        } else if command.starts_with("MAIL FROM") {
            from = address(line.trim_end());
            b"250 2.1.0 ok\r\n"
        } else if command.starts_with("RCPT TO") {
            let recipient = address(line.trim_end());
            if shared.lock().unwrap().refused.contains(&recipient) {
                b"550 5.1.1 no such mailbox here\r\n"
            } else {
                to.push(recipient);
                b"250 2.1.5 ok\r\n"
            }
        } else if command == "DATA" {
            let _ = write.write_all(b"354 end with a dot\r\n").await;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let mut shared = shared.lock().unwrap();
            if let Some((clock, seconds)) = &shared.slow {
                clock.advance(*seconds);
            }
            shared.received.push(Received {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 2.0.0 queued as 42\r\n"
        } else if command == "RSET" || command == "NOOP" {
            b"250 ok\r\n"
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 5.5.2 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// The message with its quoted-printable and base64 parts decoded, enough to search its text.
pub fn decoded(data: &str) -> String {
    let mut out = data.replace("=\r\n", "");
    let mut text = String::new();
    let mut rest = out.as_str();
    while let Some(at) = rest.find('=') {
        text.push_str(&rest[..at]);
        let hex = rest
            .get(at + 1..at + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                text.push(byte as char);
                rest = &rest[at + 3..];
            }
            None => {
                text.push('=');
                rest = &rest[at + 1..];
            }
        }
    }
    text.push_str(rest);
    out = text;
    for block in data.split("\r\n\r\n") {
        let compact: String = block.lines().collect();
        if let Ok(bytes) =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, compact.trim())
        {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}
