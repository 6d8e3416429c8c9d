//! Where encrypted secrets live, and the context each one is sealed under.
//!
//! Every ciphertext is bound to the record that holds it (the AEAD's
//! associated data), so a ciphertext copied onto another record does not
//! open. The context is derived here, in one place, so that sealing, opening
//! and re-encrypting under a new key always agree.

use uuid::Uuid;

use crate::ids::{ClientId, ConnectionId};
use crate::integration::PlatformKey;

/// An encrypted secret as stored: the version of the key that sealed it
/// and the nonce followed by the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSecret {
    pub key_version: u32,
    pub bytes: Vec<u8>,
}

/// The classes of stored secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretClass {
    /// A connection's credentials or OAuth tokens.
    ConnectionSecret,
    /// A client's own OAuth client secret for an integration.
    IntegrationClientSecret,
    /// A webhook consumer's signing secret.
    WebhookSecret,
    /// A webhook consumer's previous signing secret, during its grace period.
    WebhookPreviousSecret,
    /// The PKCE verifier of an OAuth authorization attempt.
    OAuthVerifier,
    /// The secret that signs a client's credentials verifier calls.
    CredentialsVerifierSecret,
}

impl SecretClass {
    pub const ALL: [SecretClass; 6] = [
        SecretClass::ConnectionSecret,
        SecretClass::IntegrationClientSecret,
        SecretClass::WebhookSecret,
        SecretClass::WebhookPreviousSecret,
        SecretClass::OAuthVerifier,
        SecretClass::CredentialsVerifierSecret,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            SecretClass::ConnectionSecret => "connection credentials and tokens",
            SecretClass::IntegrationClientSecret => "integration OAuth client secrets",
            SecretClass::WebhookSecret => "webhook signing secrets",
            SecretClass::WebhookPreviousSecret => "previous webhook signing secrets",
            SecretClass::OAuthVerifier => "OAuth PKCE verifiers",
            SecretClass::CredentialsVerifierSecret => "credentials verifier signing secrets",
        }
    }
}

/// The record a secret belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretLocation {
    Connection(ConnectionId),
    IntegrationClient(ClientId, PlatformKey),
    Webhook(Uuid),
    WebhookPrevious(Uuid),
    /// An OAuth state, by the hash of its `state` value.
    OAuthState(String),
    /// The signing secret of a client's credentials verifier for a platform.
    CredentialsVerifier(ClientId, PlatformKey),
}

impl SecretLocation {
    pub fn class(&self) -> SecretClass {
        match self {
            SecretLocation::Connection(_) => SecretClass::ConnectionSecret,
            SecretLocation::IntegrationClient(..) => SecretClass::IntegrationClientSecret,
            SecretLocation::Webhook(_) => SecretClass::WebhookSecret,
            SecretLocation::WebhookPrevious(_) => SecretClass::WebhookPreviousSecret,
            SecretLocation::OAuthState(_) => SecretClass::OAuthVerifier,
            SecretLocation::CredentialsVerifier(..) => SecretClass::CredentialsVerifierSecret,
        }
    }

    /// The associated data the secret is sealed with. A webhook's current and
    /// previous secrets share one, so rotating the signing secret moves the
    /// ciphertext from one column to the other unchanged.
    pub fn context(&self) -> String {
        match self {
            SecretLocation::Connection(id) => format!("connection-secret:{id}"),
            SecretLocation::IntegrationClient(client, key) => {
                format!("integration-settings:{client}:{key}")
            }
            SecretLocation::Webhook(id) | SecretLocation::WebhookPrevious(id) => {
                format!("webhook-secret:{id}")
            }
            SecretLocation::OAuthState(state_hash) => format!("oauth-state:{state_hash}"),
            SecretLocation::CredentialsVerifier(client, key) => {
                format!("credentials-verifier:{client}:{key}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_name_their_record_and_differ_between_records() {
        let id = Uuid::from_u128(7);
        let client = ClientId::from(Uuid::from_u128(1));
        let key = PlatformKey::parse("gbol").unwrap();

        assert_eq!(
            SecretLocation::Webhook(id).context(),
            SecretLocation::WebhookPrevious(id).context()
        );
        assert_ne!(
            SecretLocation::Webhook(id).context(),
            SecretLocation::Webhook(Uuid::from_u128(8)).context()
        );
        assert_ne!(
            SecretLocation::Connection(ConnectionId::from(id)).context(),
            SecretLocation::Webhook(id).context()
        );
        assert_eq!(
            SecretLocation::IntegrationClient(client, key).context(),
            format!("integration-settings:{}:gbol", Uuid::from_u128(1))
        );
    }

    #[test]
    fn a_verifier_secret_is_sealed_apart_from_the_oauth_secret_of_the_same_integration() {
        let client = ClientId::from(Uuid::from_u128(1));
        let key = PlatformKey::parse("knfz").unwrap();

        assert_ne!(
            SecretLocation::CredentialsVerifier(client, key.clone()).context(),
            SecretLocation::IntegrationClient(client, key).context()
        );
    }

    #[test]
    fn every_class_has_its_location() {
        let id = Uuid::nil();
        let locations = [
            SecretLocation::Connection(ConnectionId::from(id)),
            SecretLocation::IntegrationClient(
                ClientId::from(id),
                PlatformKey::parse("gbol").unwrap(),
            ),
            SecretLocation::Webhook(id),
            SecretLocation::WebhookPrevious(id),
            SecretLocation::OAuthState("h".into()),
            SecretLocation::CredentialsVerifier(
                ClientId::from(id),
                PlatformKey::parse("knfz").unwrap(),
            ),
        ];
        let classes: Vec<SecretClass> = locations.iter().map(SecretLocation::class).collect();
        assert_eq!(classes, SecretClass::ALL);
    }
}
