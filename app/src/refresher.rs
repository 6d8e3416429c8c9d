//! The background task that refreshes OAuth access tokens before they
//! expire. Each connection is leased before it is refreshed, so several
//! replicas can run it at once without refreshing one connection twice.
//! A refresh the provider refuses (`invalid_grant`) deauthorizes the
//! connection; the customer can authorize it again at the same Link URL.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use domain::connection::{Actor, Cause, Connection, ConnectionError};
use domain::ports::Store;
use zeroize::Zeroizing;

use crate::connections::{self, Change};
use crate::oauth::{Grant, TokenError, TokenRequest};
use crate::ports::{ClientSettings, Providers};
use crate::secrets::Cipher;
use crate::Stop;

/// How many connections one round looks at.
const BATCH: u32 = 100;
/// How long a lease lasts: longer than one token request may take.
const LEASE_SECONDS: i64 = 60;

/// When to refresh and how often to look.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub interval: Duration,
    /// Tokens expiring within this margin are refreshed.
    pub margin: Duration,
}

/// The token refresher: what it reads, writes and asks.
pub struct Refresher {
    pub store: Arc<dyn Store>,
    pub settings: Arc<dyn ClientSettings>,
    pub providers: Arc<dyn Providers>,
    pub cipher: Cipher,
}

/// Runs a round per interval until told to stop. While the store cannot be
/// reached, the pause doubles (up to five minutes), and returns to the
/// interval once a round gets through.
pub async fn run(refresher: Arc<Refresher>, schedule: Schedule, mut stop: Stop) {
    let mut pause = schedule.interval;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        // A round runs to its end: a refresh is never left half-recorded.
        match run_once(&refresher, schedule.margin).await {
            Some(refreshed) => {
                pause = schedule.interval;
                if refreshed > 0 {
                    tracing::info!(refreshed, "refreshed OAuth tokens");
                }
            }
            None => {
                pause = (pause * 2)
                    .min(Duration::from_secs(300))
                    .max(schedule.interval)
            }
        }
    }
}

/// One round: refreshes every due connection this instance can lease.
/// Returns how many it refreshed or deauthorized; `None` when the store
/// could not be asked.
pub async fn run_once(state: &Refresher, margin: Duration) -> Option<usize> {
    let margin =
        chrono::Duration::from_std(margin).unwrap_or_else(|_| chrono::Duration::minutes(2));
    let due = match state
        .store
        .due_token_refreshes(Utc::now() + margin, BATCH)
        .await
    {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not look for tokens to refresh; trying again later");
            return None;
        }
    };
    let mut done = 0;
    for connection in due {
        let lease = Utc::now() + chrono::Duration::seconds(LEASE_SECONDS);
        match state.store.claim_token_refresh(connection.id, lease).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "could not lease a token refresh");
                continue;
            }
        }
        match refresh(state, &connection).await {
            Ok(()) => done += 1,
            Err(reason) => {
                tracing::warn!(connection = %connection.id, %reason, "token refresh did not happen; retrying later")
            }
        }
    }
    Some(done)
}

async fn refresh(state: &Refresher, connection: &Connection) -> Result<(), String> {
    let (client, company, id) = (connection.client_id, connection.company_id, connection.id);
    let stored = crate::secrets::stored_tokens(state.store.as_ref(), &state.cipher, connection)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the connection holds no OAuth tokens")?;
    let refresh_token = Zeroizing::new(
        stored
            .refresh_token
            .clone()
            .ok_or("the provider gave no refresh token")?,
    );
    let (client_id, client_secret) =
        crate::secrets::oauth_application(state.store.as_ref(), &state.cipher, connection)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no OAuth application is registered for this platform")?;
    let integration = state
        .providers
        .integration(&connection.platform_key)
        .ok_or("the platform left the catalogue")?;
    let domain::integration::AuthMethod::OAuth2(oauth) = &integration.auth else {
        return Err("the platform does not use OAuth".into());
    };
    let request = TokenRequest {
        token_url: &oauth.token_url,
        client_auth: oauth.client_auth,
        client_id: &client_id,
        client_secret: &client_secret,
        grant: Grant::RefreshToken {
            refresh_token: &refresh_token,
        },
    };
    match state
        .providers
        .token_endpoint(&connection.platform_key)
        .request(request)
        .await
    {
        Ok(mut tokens) => {
            if tokens.refresh_token.is_none() {
                tokens.refresh_token = Some(refresh_token.to_string());
            }
            let secret = crate::secrets::seal_tokens(&state.cipher, connection.id, &tokens)
                .map_err(|e| e.to_string())?;
            state
                .store
                .replace_connection_secret(client, company, id, secret)
                .await
                .map_err(|e| e.to_string())
        }
        Err(TokenError::InvalidGrant) => {
            let error = ConnectionError {
                status_code: "401".into(),
                status_text: "Deauthorized".into(),
                error_message: "The platform refused to refresh access; the customer must authorize the connection again.".into(),
                errored_on: Utc::now(),
                resolved_on: None,
            };
            let change = Change {
                error: Some(error),
                ..Change::new(Cause::RefreshRefused, Actor::Provider)
            };
            connections::apply(
                state.store.as_ref(),
                state.settings.as_ref(),
                (client, company, id),
                change,
            )
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
        }
        Err(other) => Err(other.to_string()),
    }
}
