//! Every encrypted secret, for key rotation.

use async_trait::async_trait;

use crate::secrets::{SealedSecret, SecretClass, SecretLocation};

use super::error::RepoError;

/// A stored secret and the record it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub location: SecretLocation,
    pub sealed: SealedSecret,
}

/// A secret re-encrypted under another key, to be written only if the
/// stored ciphertext is still `old`.
#[derive(Debug, Clone)]
pub struct Reseal {
    pub location: SecretLocation,
    pub old: SealedSecret,
    pub new: SealedSecret,
}

/// How many secrets of one class are sealed with one key version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretCount {
    pub class: SecretClass,
    pub key_version: u32,
    pub count: u64,
}

/// Every encrypted secret, whatever record holds it: what key rotation needs.
#[async_trait]
pub trait SecretRepository: Send + Sync {
    /// Up to `limit` secrets of `class` sealed with another key version than
    /// `current`, in the store's order of their records, starting after
    /// `after` (a location an earlier call returned).
    async fn secrets_to_reseal(
        &self,
        class: SecretClass,
        current: u32,
        after: Option<&SecretLocation>,
        limit: u32,
    ) -> Result<Vec<StoredSecret>, RepoError>;

    /// Writes each re-encrypted secret, in one transaction, whose record
    /// still holds exactly `old`; a secret changed meanwhile (a token refresh,
    /// a rotated webhook secret) is left as it is. Returns how many were written.
    async fn reseal_secrets(&self, reseals: &[Reseal]) -> Result<u64, RepoError>;

    /// How many secrets each key version seals, by class.
    async fn count_secrets(&self) -> Result<Vec<SecretCount>, RepoError>;
}
