//! Authorizing a connection with what its integration takes: credentials a
//! customer typed (checked first by the client's verifier, when it has one)
//! or OAuth tokens the client's back end imports. Values are validated
//! against the integration, sealed before they reach the store, and never
//! echoed.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::authorization::{self, Authorization};
use domain::connection::{Actor, Cause, Connection, ConnectionStatus};
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::integration::{AuthMethod, Integration};
use domain::link_settings::CategorySet;
use domain::ports::{CredentialsVerifier, SecretChange, Store};
use domain::secrets::SecretLocation;
use serde_json::json;

use crate::connections::{self, Change};
use crate::ports::{ClientSettings, Providers, VerifierAnswer, VerifierCalls};
use crate::secrets::Cipher;
use crate::AppError;

/// The longest refusal message shown to a customer, in characters.
const MAX_MESSAGE: usize = 300;

/// What authorizing works with.
pub struct Service<'a> {
    pub store: &'a dyn Store,
    pub settings: &'a dyn ClientSettings,
    pub providers: &'a dyn Providers,
    pub cipher: &'a Cipher,
    pub verifiers: &'a dyn VerifierCalls,
}

/// Who authorizes: the client's back end (an API key) or a customer (a
/// company token, limited to `covered` categories when it comes from an
/// invitation), recorded as `actor`.
pub struct Authorizer {
    pub client: ClientId,
    pub actor: Actor,
    pub by_customer: bool,
    pub covered: Option<CategorySet>,
}

/// Authorizes the connection `id` with `values`. A `PendingAuth` connection
/// becomes `Linked` (when the company's consent allows it); an `Unlinked` or
/// `Deauthorized` one is linked again; a `Linked` one gets its new values.
pub async fn authorize(
    service: &Service<'_>,
    who: &Authorizer,
    (company, id): (CompanyId, ConnectionId),
    values: BTreeMap<String, String>,
) -> Result<Connection, AppError> {
    let store = service.store;
    let current = connections::load(store, who.client, company, id).await?;
    crate::error::check_covered(who.covered, current.source_type.category())?;
    let integration = service
        .providers
        .integration(&current.platform_key)
        .ok_or_else(|| {
            AppError::Internal(format!(
                "integration {} left the catalogue",
                current.platform_key
            ))
        })?;
    let setting = store
        .get_integration_setting(who.client, &integration.key)
        .await?;
    if !integration.enabled(setting.as_ref().map(|s| s.enabled)) {
        return Err(AppError::IntegrationDisabled {
            name: integration.name.clone(),
            key: integration.key.to_string(),
        });
    }
    if who.by_customer && matches!(integration.auth, AuthMethod::OAuth2(_)) {
        return Err(AppError::OAuthImportRequiresApiKey(
            integration.name.clone(),
        ));
    }
    if who.by_customer && integration.import_only {
        return Err(AppError::CredentialsImportRequiresApiKey(
            integration.name.clone(),
        ));
    }
    let authorization =
        authorization::validate(&integration.auth, values).map_err(AppError::Invalid)?;
    if let Authorization::Credentials(typed) = &authorization {
        if let Some(verifier) = setting.and_then(|s| s.verifier) {
            verify(service, &current, integration, &verifier, typed).await?;
        }
    }
    let secret = crate::secrets::seal_authorization(service.cipher, id, authorization)?;
    if current.status == ConnectionStatus::Linked {
        store
            .replace_connection_secret(who.client, company, id, secret)
            .await
            .map_err(|e| connections::in_connection(e, id))?;
        return connections::load(store, who.client, company, id).await;
    }
    let change = Change {
        secret: SecretChange::Put(secret),
        consent_for: connections::consent_needed(service.settings, &current).await?,
        ..Change::new(Cause::Authorized, who.actor)
    };
    connections::apply(store, service.settings, (who.client, company, id), change)
        .await?
        .ok_or(AppError::ConnectionNotFound(id))
}

/// Asks the client's verifier whether `credentials` (typed for `connection`)
/// are right: a signed call (as webhooks are signed); 2xx accepts, 4xx
/// refuses with its message for the customer, anything else leaves nothing
/// saved.
async fn verify(
    service: &Service<'_>,
    connection: &Connection,
    integration: &Integration,
    verifier: &CredentialsVerifier,
    credentials: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    let location =
        SecretLocation::CredentialsVerifier(connection.client_id, integration.key.clone());
    let secret = service.cipher.open(&verifier.secret, &location.context())?;
    let secret =
        String::from_utf8(secret.to_vec()).map_err(|e| AppError::Internal(e.to_string()))?;
    let body = json!({
        "type": "credentials.verification",
        "companyId": connection.company_id.to_string(),
        "connectionId": connection.id.to_string(),
        "platformKey": integration.key.as_str(),
        "platformName": integration.name,
        "credentials": credentials,
    })
    .to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let timestamp = Utc::now().timestamp();
    let signature = crate::webhooks::sign(&secret, &id, timestamp, &body)
        .ok_or_else(|| AppError::Internal("the verifier's secret cannot sign".into()))?;
    let headers = [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    let unavailable = |why: String| {
        tracing::warn!(%why, platform = %integration.name, "the credentials verifier gave no usable answer");
        Err(AppError::VerifierUnavailable(integration.name.clone()))
    };
    match service.verifiers.post(&verifier.url, &headers, body).await {
        VerifierAnswer::Status(status, _) if (200..300).contains(&status) => Ok(()),
        VerifierAnswer::Status(status, text) if (400..500).contains(&status) => {
            Err(AppError::CredentialsRefused(refusal_message(&text)))
        }
        VerifierAnswer::Status(status, _) => unavailable(format!("answered {status}")),
        VerifierAnswer::NoAnswer(why) => unavailable(why),
    }
}

/// The message of a verifier's refusal, for the customer: the `message` of a
/// JSON body, or the text itself, without control characters and cut short.
fn refusal_message(text: &str) -> String {
    let said = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| text.to_owned());
    let clean: String = said
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.is_empty() {
        return "These details were not accepted.".into();
    }
    clean.chars().take(MAX_MESSAGE).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_shown_as_plain_short_text() {
        assert_eq!(
            refusal_message(r#"{"message": "Wrong\npassword"}"#),
            "Wrong password"
        );
        assert_eq!(refusal_message("Locked out"), "Locked out");
        assert_eq!(refusal_message("  "), "These details were not accepted.");
        assert_eq!(
            refusal_message(&"x".repeat(1000)).chars().count(),
            MAX_MESSAGE
        );
    }
}
