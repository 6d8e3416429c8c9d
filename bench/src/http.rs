//! The load's HTTP client: hyper's HTTP/1.1 connection API over kept-alive
//! loopback connections, one a caller at a time, with the headers every call
//! shares made once. It spends as little of the machine as the C client of
//! pgbench does on its side, so that a ratio compares servers, not clients.

use std::sync::Mutex;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One request of a scenario: everything but what all calls share.
#[derive(Debug)]
pub struct Call {
    pub method: Method,
    /// The path and query, as sent on the request line.
    pub target: String,
    /// A JSON body.
    pub body: Option<Bytes>,
    /// Extra headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Call {
    pub fn get(target: String) -> Self {
        Self {
            method: Method::GET,
            target,
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn post(target: String, body: &serde_json::Value) -> Self {
        Self::with_body(Method::POST, target, body)
    }

    pub fn put(target: String, body: &serde_json::Value) -> Self {
        Self::with_body(Method::PUT, target, body)
    }

    fn with_body(method: Method, target: String, body: &serde_json::Value) -> Self {
        Self {
            method,
            target,
            body: Some(Bytes::from(body.to_string())),
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
        self
    }
}

/// Sends calls to one server with one API key.
pub struct Client {
    /// `host:port`.
    address: String,
    host: HeaderValue,
    authorization: HeaderValue,
    /// Connections between calls; a call takes one or opens one.
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

impl Client {
    /// For a server at `base` (`http://host:port`), authenticating as Codat's
    /// SDKs do: HTTP Basic with the key as user name and no password.
    pub fn new(base: &str, api_key: &str) -> Result<Self, String> {
        use base64::Engine;
        let address = base
            .strip_prefix("http://")
            .ok_or_else(|| format!("not an http:// address: {base}"))?
            .trim_end_matches('/')
            .to_owned();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{api_key}:"));
        Ok(Self {
            host: HeaderValue::from_str(&address).map_err(|e| e.to_string())?,
            authorization: HeaderValue::from_str(&format!("Basic {basic}"))
                .map_err(|e| e.to_string())?,
            address,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends `call`, reads the whole answer, and tells whether its status
    /// was a success. A connection that failed is dropped, not reused; a
    /// kept one the server has closed meanwhile (its idle timeout) is
    /// replaced by a new one, and so is one that failed before the request
    /// went out.
    pub async fn send(&self, call: Call) -> Result<bool, String> {
        let mut request = Request::builder()
            .method(call.method)
            .uri(call.target)
            .header(HOST, self.host.clone())
            .header(AUTHORIZATION, self.authorization.clone());
        if call.body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        for (name, value) in call.headers {
            request = request.header(name, value);
        }
        let mut request = request
            .body(Full::new(call.body.unwrap_or_default()))
            .map_err(|e| e.to_string())?;
        let (mut sender, response) = loop {
            let (mut sender, kept) = match self.kept() {
                Some(sender) => (sender, true),
                None => (self.connect().await?, false),
            };
            match sender.try_send_request(request).await {
                Ok(response) => break (sender, response),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) if kept => request = unsent,
                    _ => return Err(failed.into_error().to_string()),
                },
            }
        };
        let success = response.status().is_success();
        response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        if sender.ready().await.is_ok() {
            if let Ok(mut idle) = self.idle.lock() {
                idle.push(sender);
            }
        }
        Ok(success)
    }

    /// A kept connection still open, if there is one.
    fn kept(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(sender) = idle.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        let stream = TcpStream::connect(&self.address)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.address))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A listener on a free loopback port, and its address as a base URL.
    async fn listen() -> (tokio::net::TcpListener, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let base = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        (listener, base)
    }

    /// A server that answers every request on a connection with `status`
    /// and hands back what it read.
    async fn answering(status: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let (listener, base) = listen().await;
        let read = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
            let mut seen = Vec::new();
            let mut buffer = [0u8; 4096];
            for _ in 0..2 {
                let n = socket.read(&mut buffer).await.unwrap_or(0);
                seen.extend_from_slice(&buffer[..n]);
                let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 2\r\n\r\n{{}}");
                let _ = socket.write_all(answer.as_bytes()).await;
            }
            String::from_utf8_lossy(&seen).into_owned()
        });
        (base, read)
    }

    #[tokio::test]
    async fn calls_share_one_kept_alive_connection_and_carry_the_key() {
        let (base, read) = answering("200 OK").await;
        let client = Client::new(&base, "k3y").unwrap_or_else(|e| panic!("{e}"));

        let first = client.send(Call::get("/companies?page=1".into())).await;
        let second = client
            .send(
                Call::post("/companies".into(), &serde_json::json!({"name": "A"}))
                    .header("prefer", "count=estimated"),
            )
            .await;

        assert_eq!(first, Ok(true));
        assert_eq!(second, Ok(true));
        let seen = read.await.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            seen.starts_with("GET /companies?page=1 HTTP/1.1\r\n"),
            "{seen}"
        );
        // "k3y:" in base64.
        assert_eq!(
            seen.matches("authorization: Basic azN5Og==\r\n").count(),
            2,
            "{seen}"
        );
        assert!(seen.contains("POST /companies HTTP/1.1\r\n"), "{seen}");
        assert!(
            seen.contains("content-type: application/json\r\n"),
            "{seen}"
        );
        assert!(seen.contains("prefer: count=estimated\r\n"), "{seen}");
        assert!(seen.ends_with("{\"name\":\"A\"}"), "{seen}");
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_is_replaced() {
        let (listener, base) = listen().await;
        let server = tokio::spawn(async move {
            // Each connection answers one request, then the server closes it.
            for _ in 0..2 {
                let (mut socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let client = Client::new(&base, "k").unwrap_or_else(|e| panic!("{e}"));

        let first = client.send(Call::get("/".into())).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let second = client.send(Call::get("/".into())).await;

        assert_eq!((first, second), (Ok(true), Ok(true)));
        server.await.unwrap_or_else(|e| panic!("{e}"));
    }

    #[tokio::test]
    async fn an_error_status_is_an_answer_but_not_a_success() {
        let (base, _read) = answering("404 Not Found").await;
        let client = Client::new(&base, "k").unwrap_or_else(|e| panic!("{e}"));

        assert_eq!(client.send(Call::get("/x".into())).await, Ok(false));
    }

    #[tokio::test]
    async fn no_server_is_an_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let client =
            Client::new(&format!("http://127.0.0.1:{port}"), "k").unwrap_or_else(|e| panic!("{e}"));

        assert!(client.send(Call::get("/".into())).await.is_err());
    }
}
