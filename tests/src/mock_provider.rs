//! A mock OAuth provider on loopback, for the journey against a "real"
//! platform over HTTP. It checks what a strict provider checks: client
//! authentication, single-use codes bound to the PKCE challenge and the
//! redirect URI, and live refresh tokens. Its failures can be switched on.

#![expect(clippy::unwrap_used, reason = "test helper")]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "mock-client";
pub const CLIENT_SECRET: &str = "mock-client-secret";
pub const REDIRECT_URI: &str = "http://link.test/link/oauth/callback";

/// How the mock answers token requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    ServerError,
    RefuseRefresh,
}

#[derive(Default)]
struct Inner {
    codes: HashMap<String, String>,
    refresh_tokens: HashSet<String>,
    revoked: Vec<String>,
    issued: usize,
    mode: Option<Mode>,
}

/// A running mock provider.
#[derive(Clone)]
pub struct MockProvider {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

impl MockProvider {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = web::Data::from(inner.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/token", web::post().to(token))
                .route("/revoke", web::post().to(revoke))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            inner,
        }
    }

    /// Catalogue entries (for `LINK_CATALOGUE_FILE`) pointing at this provider:
    /// `mock` sends client credentials with HTTP Basic and can revoke tokens,
    /// `mckp` sends them in the form body and offers no revocation.
    pub fn catalogue_json(&self) -> String {
        let entry = |key: &str, name: &str, client_auth: &str| {
            let mut entry = serde_json::json!({
                "key": key, "name": name, "sourceType": "Banking", "brandColour": "#123456", "dataTypes": ["banking-accounts"],
                "auth": {"kind": "oauth2", "authorizeUrl": format!("{}/authorize", self.base_url),
                         "tokenUrl": format!("{}/token", self.base_url), "scopes": ["read"], "clientAuth": client_auth}
            });
            if client_auth == "basic" {
                entry["auth"]["revokeUrl"] = format!("{}/revoke", self.base_url).into();
            }
            entry
        };
        serde_json::json!([
            entry("mock", "Mock Bank", "basic"),
            entry("mckp", "Mock Bank Post", "post")
        ])
        .to_string()
    }

    /// What the customer's approval at the provider produces: a code bound to the challenge.
    pub fn approve(&self, code_challenge: &str) -> String {
        let code = format!("code-{}", self.inner.lock().unwrap().codes.len());
        self.inner
            .lock()
            .unwrap()
            .codes
            .insert(code.clone(), code_challenge.to_owned());
        code
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = Some(mode);
    }

    /// The tokens revoked so far, in order.
    pub fn revoked(&self) -> Vec<String> {
        self.inner.lock().unwrap().revoked.clone()
    }

    /// How many token responses it gave.
    pub fn issued(&self) -> usize {
        self.inner.lock().unwrap().issued
    }
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn error(status: u16, code: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(serde_json::json!({"error": code}))
}

/// Whether the request authenticates the client, by HTTP Basic or in the form.
fn client_authenticated(request: &HttpRequest, id: Option<&str>, secret: Option<&str>) -> bool {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let header = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let by_header = header == Some(expected.as_str());
    let by_form = header.is_none() && id == Some(CLIENT_ID) && secret == Some(CLIENT_SECRET);
    by_header || by_form
}

#[derive(Deserialize)]
struct RevokeForm {
    token: String,
    token_type_hint: Option<String>,
}

/// RFC 7009: forgets the refresh token; 200 even for an unknown token.
async fn revoke(
    inner: web::Data<Mutex<Inner>>,
    request: HttpRequest,
    form: web::Form<RevokeForm>,
) -> HttpResponse {
    if !client_authenticated(&request, None, None) {
        return error(401, "invalid_client");
    }
    let mut inner = inner.lock().unwrap();
    if inner.mode == Some(Mode::ServerError) {
        return HttpResponse::InternalServerError().body("provider failure");
    }
    if form.token_type_hint.as_deref() != Some("refresh_token") {
        return error(400, "unsupported_token_type");
    }
    inner.refresh_tokens.remove(&form.token);
    inner.revoked.push(form.token.clone());
    HttpResponse::Ok().finish()
}

async fn token(
    inner: web::Data<Mutex<Inner>>,
    request: HttpRequest,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    if !client_authenticated(
        &request,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    ) {
        return error(401, "invalid_client");
    }
    let mut inner = inner.lock().unwrap();
    let mode = inner.mode.unwrap_or(Mode::Normal);
    if mode == Mode::ServerError {
        return HttpResponse::InternalServerError().body("provider failure");
    }
    match form.grant_type.as_str() {
        "authorization_code" => {
            let (Some(code), Some(verifier)) = (&form.code, &form.code_verifier) else {
                return error(400, "invalid_request");
            };
            let Some(challenge) = inner.codes.remove(code) else {
                return error(400, "invalid_grant");
            };
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if computed != challenge || form.redirect_uri.as_deref() != Some(REDIRECT_URI) {
                return error(400, "invalid_grant");
            }
        }
        "refresh_token" => {
            let Some(old) = &form.refresh_token else {
                return error(400, "invalid_request");
            };
            if mode == Mode::RefuseRefresh || !inner.refresh_tokens.remove(old) {
                return error(400, "invalid_grant");
            }
        }
        _ => return error(400, "unsupported_grant_type"),
    }
    inner.issued += 1;
    let refresh_token = format!("refresh-{}", inner.issued);
    inner.refresh_tokens.insert(refresh_token.clone());
    HttpResponse::Ok().json(serde_json::json!({
        "access_token": format!("access-{}", inner.issued), "refresh_token": refresh_token,
        "expires_in": 60, "token_type": "Bearer"
    }))
}
