//! Encryption key rotation: re-encrypts every stored secret with the newest
//! configured key, online, in batches.
//!
//! Each batch is one transaction that rewrites a secret only if its record
//! still holds the ciphertext that was read, so the service can keep running
//! (a token refreshed meanwhile is already sealed with the newest key and is
//! left alone). Only secrets sealed with an older key are read, so a run that
//! is interrupted resumes where it stopped when started again.

use std::ops::ControlFlow;

use domain::ports::{RepoError, Reseal, SecretCount, Store};
use domain::secrets::{SecretClass, SecretLocation};

use crate::secrets::Cipher;

/// What one batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub class: SecretClass,
    /// Secrets now sealed with the newest key.
    pub resealed: u64,
    /// Secrets that changed between reading and writing; whoever changed
    /// them sealed them anew.
    pub changed_meanwhile: u64,
}

/// A secret that could not be opened, so it was not re-encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub location: SecretLocation,
    pub key_version: u32,
    pub reason: String,
}

/// What a run did, class by class.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rotation {
    pub resealed: u64,
    pub changed_meanwhile: u64,
    pub unreadable: Vec<Unreadable>,
    /// False when `on_batch` stopped the run early.
    pub finished: bool,
}

/// Re-encrypts every secret sealed with another key than the newest, `batch_size`
/// at a time, calling `on_batch` after each batch; it may stop the run.
pub async fn rotate(
    store: &dyn Store,
    cipher: &Cipher,
    batch_size: u32,
    on_batch: &mut (dyn FnMut(&Batch) -> ControlFlow<()> + Send),
) -> Result<Rotation, RepoError> {
    let current = cipher.current_version();
    let mut rotation = Rotation::default();
    for class in SecretClass::ALL {
        let mut after: Option<SecretLocation> = None;
        loop {
            let secrets = store
                .secrets_to_reseal(class, current, after.as_ref(), batch_size)
                .await?;
            let Some(last) = secrets.last() else { break };
            after = Some(last.location.clone());
            let mut reseals = Vec::with_capacity(secrets.len());
            for secret in secrets {
                let context = secret.location.context();
                match cipher.reseal(&secret.sealed, &context) {
                    Ok(new) => reseals.push(Reseal {
                        location: secret.location,
                        old: secret.sealed,
                        new,
                    }),
                    Err(error) => rotation.unreadable.push(Unreadable {
                        location: secret.location,
                        key_version: secret.sealed.key_version,
                        reason: error.to_string(),
                    }),
                }
            }
            let resealed = store.reseal_secrets(&reseals).await?;
            let batch = Batch {
                class,
                resealed,
                changed_meanwhile: reseals.len() as u64 - resealed,
            };
            rotation.resealed += batch.resealed;
            rotation.changed_meanwhile += batch.changed_meanwhile;
            if on_batch(&batch).is_break() {
                return Ok(rotation);
            }
        }
    }
    rotation.finished = true;
    Ok(rotation)
}

/// How many secrets each key version seals, by class, and how many of them
/// are not sealed with the newest key.
pub async fn status(
    store: &dyn Store,
    cipher: &Cipher,
) -> Result<(Vec<SecretCount>, u64), RepoError> {
    let counts = store.count_secrets().await?;
    let behind = counts
        .iter()
        .filter(|c| c.key_version != cipher.current_version())
        .map(|c| c.count)
        .sum();
    Ok((counts, behind))
}
