//! Encryption of stored secrets: AES-256-GCM, a fresh random nonce per
//! secret, and the key version stored beside every ciphertext so that keys
//! can be rotated. Associated data binds each ciphertext to the record it
//! belongs to, so a ciphertext copied onto another record does not open.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use domain::ports::SealedSecret;
use secrecy::ExposeSecret;
use sha2::Digest;
use zeroize::Zeroizing;

use crate::config::{parse_encryption_keys, ConfigError, Settings};

const NONCE_LEN: usize = 12;

/// The configured keys; the highest version encrypts.
#[derive(Clone)]
pub struct Cipher {
    keys: BTreeMap<u32, Aes256Gcm>,
    current: u32,
    /// A key for signing company tokens, derived from the newest key.
    token_secret: Zeroizing<Vec<u8>>,
}

/// A secret that could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("no key with version {0} is configured")]
    UnknownKeyVersion(u32),
    #[error("the ciphertext does not open with its key: it is damaged or belongs elsewhere")]
    Damaged,
    #[error("the secret is too large to encrypt")]
    TooLarge,
}

impl Cipher {
    /// Builds a cipher from versioned 32-byte keys.
    pub fn new(keys: Vec<(u32, Vec<u8>)>) -> Option<Self> {
        let current = keys.iter().map(|(v, _)| *v).max()?;
        let newest = keys
            .iter()
            .find(|(v, _)| *v == current)
            .map(|(_, k)| k.as_slice())
            .unwrap_or_default();
        let token_secret = Zeroizing::new(
            sha2::Sha256::new()
                .chain_update(b"link-api company-token signing key\0")
                .chain_update(newest)
                .finalize()
                .to_vec(),
        );
        let keys = keys
            .into_iter()
            .map(|(version, bytes)| {
                (
                    version,
                    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&Zeroizing::new(bytes))),
                )
            })
            .collect();
        Some(Self {
            keys,
            current,
            token_secret,
        })
    }

    /// The version of the key that seals new secrets.
    pub fn current_version(&self) -> u32 {
        self.current
    }

    /// Whether a key with this version is configured.
    pub fn has_version(&self, version: u32) -> bool {
        self.keys.contains_key(&version)
    }

    /// Opens a secret with its own key and seals it again with the newest.
    pub fn reseal(
        &self,
        sealed: &SealedSecret,
        context: &str,
    ) -> Result<SealedSecret, CryptoError> {
        self.seal(&self.open(sealed, context)?, context)
    }

    /// The secret company tokens are signed with. Rotating the newest key
    /// invalidates tokens issued before (they live a day at most).
    pub fn token_secret(&self) -> &[u8] {
        &self.token_secret
    }

    /// A tag (URL-safe base64 HMAC-SHA256 under the token secret) of `data`
    /// for `purpose`, so a browser can be handed a value it cannot forge and
    /// a tag made for one purpose never passes for another.
    pub fn tag(&self, purpose: &str, data: &[u8]) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        URL_SAFE_NO_PAD.encode(hmac::Mac::finalize(self.mac(purpose, data)).into_bytes())
    }

    /// Whether `tag` is [`Cipher::tag`] of `data` for `purpose` (compared in constant time).
    pub fn verify_tag(&self, purpose: &str, data: &[u8], tag: &str) -> bool {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        URL_SAFE_NO_PAD
            .decode(tag)
            .is_ok_and(|tag| hmac::Mac::verify_slice(self.mac(purpose, data), &tag).is_ok())
    }

    fn mac(&self, purpose: &str, data: &[u8]) -> hmac::Hmac<sha2::Sha256> {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.token_secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        mac
    }

    /// The keys of `LINK_ENCRYPTION_KEY`. Without it, a SQLite store keeps a
    /// generated key in a file beside the database (mode 0600), so the
    /// embedded default needs no setting; PostgreSQL, shared by replicas, needs the setting.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        const VAR: &str = "LINK_ENCRYPTION_KEY";
        let keys =
            match &settings.encryption_key {
                Some(keys) => parse_encryption_keys(keys.expose_secret())?,
                None => match sqlite_key_file(&settings.database_url) {
                    Some(path) => vec![(
                        1,
                        local_key(&path).map_err(|problem| ConfigError {
                            variable: VAR,
                            problem,
                        })?,
                    )],
                    None => return Err(ConfigError {
                        variable: VAR,
                        problem:
                            "is required with PostgreSQL, and every replica must have the same keys"
                                .into(),
                    }),
                },
            };
        Self::new(keys).ok_or(ConfigError {
            variable: VAR,
            problem: "holds no key".into(),
        })
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. the record it belongs to).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<SealedSecret, CryptoError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let cipher = self
            .keys
            .get(&self.current)
            .ok_or(CryptoError::UnknownKeyVersion(self.current))?;
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::TooLarge)?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(SealedSecret {
            key_version: self.current,
            bytes,
        })
    }

    /// Decrypts a sealed secret made for the same `context`.
    pub fn open(
        &self,
        sealed: &SealedSecret,
        context: &str,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let cipher = self
            .keys
            .get(&sealed.key_version)
            .ok_or(CryptoError::UnknownKeyVersion(sealed.key_version))?;
        if sealed.bytes.len() < NONCE_LEN {
            return Err(CryptoError::Damaged);
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Damaged)
    }
}

/// The key file of a SQLite database file, or `None` for other stores.
fn sqlite_key_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or_default();
    if file.is_empty() || file == ":memory:" {
        return Some(std::env::temp_dir().join(format!("link-api-{}.key", std::process::id())));
    }
    Some(PathBuf::from(format!("{file}.key")))
}

/// Reads the key file, or creates it with a random key.
fn local_key(path: &Path) -> Result<Vec<u8>, String> {
    let engine = base64::engine::general_purpose::STANDARD;
    if let Ok(text) = std::fs::read_to_string(path) {
        let bytes = engine
            .decode(text.trim())
            .map_err(|_| format!("{} does not hold a base64 key", path.display()))?;
        return if bytes.len() == 32 {
            Ok(bytes)
        } else {
            Err(format!("{} does not hold a 32-byte key", path.display()))
        };
    }
    let key = Aes256Gcm::generate_key(&mut OsRng).to_vec();
    write_private(path, &engine.encode(&key))
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    tracing::warn!(path = %path.display(), "LINK_ENCRYPTION_KEY is not set: created a local key file for the SQLite store; keep it with the database");
    Ok(key)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(versions: &[u32]) -> Cipher {
        Cipher::new(
            versions
                .iter()
                .map(|v| (*v, vec![u8::try_from(*v).unwrap(); 32]))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_only_in_its_own_context() {
        let cipher = cipher(&[1]);

        let sealed = cipher.seal(b"client-secret", "integration:gbol").unwrap();

        assert_eq!(
            cipher.open(&sealed, "integration:gbol").unwrap().as_slice(),
            b"client-secret"
        );
        assert!(matches!(
            cipher.open(&sealed, "integration:qhyg"),
            Err(CryptoError::Damaged)
        ));
        assert!(!sealed.bytes.windows(13).any(|w| w == b"client-secret"));
    }

    #[test]
    fn the_newest_key_seals_and_older_keys_still_open() {
        let old = cipher(&[1]).seal(b"s", "c").unwrap();
        let both = cipher(&[1, 2]);

        let new = both.seal(b"s", "c").unwrap();

        assert_eq!((old.key_version, new.key_version), (1, 2));
        assert_eq!(both.open(&old, "c").unwrap().as_slice(), b"s");
        assert!(matches!(
            cipher(&[2]).open(&old, "c"),
            Err(CryptoError::UnknownKeyVersion(1))
        ));
    }

    #[test]
    fn damaged_ciphertexts_are_refused() {
        let cipher = cipher(&[1]);
        let mut sealed = cipher.seal(b"secret", "c").unwrap();
        sealed.bytes[20] ^= 1;

        assert!(matches!(
            cipher.open(&sealed, "c"),
            Err(CryptoError::Damaged)
        ));
        assert!(matches!(
            cipher.open(
                &SealedSecret {
                    key_version: 1,
                    bytes: vec![1]
                },
                "c"
            ),
            Err(CryptoError::Damaged)
        ));
    }

    #[test]
    fn a_local_key_file_is_created_once_and_reused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("link-api.db.key");

        let first = local_key(&path).unwrap();
        let second = local_key(&path).unwrap();

        assert_eq!(first, second);
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&path).unwrap().permissions()
            ) & 0o777,
            0o600
        );
    }
}
