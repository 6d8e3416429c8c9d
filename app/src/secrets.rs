//! Sealing and opening stored secrets, in one place: AES-256-GCM, a fresh
//! random nonce per secret, and the key version stored beside every
//! ciphertext so that keys can be rotated. Associated data binds each
//! ciphertext to the record it belongs to, so a ciphertext copied onto
//! another record does not open. Also the tags that let a browser carry a
//! value it cannot forge, and a connection's secret documents (credentials,
//! OAuth tokens), sealed and opened here only.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use domain::authorization::Authorization;
use domain::connection::Connection;
use domain::ids::ConnectionId;
use domain::ports::{
    ConnectionRepository, ConnectionSecret, IntegrationSettingsRepository, OAuthState, SecretKind,
};
use domain::secrets::{SealedSecret, SecretLocation};
use sha2::Digest;
use zeroize::Zeroizing;

use crate::oauth::Tokens;
use crate::AppError;

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

/// A connection's OAuth tokens, opened. Wiped from memory when dropped.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
}

impl Drop for StoredTokens {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
        self.refresh_token.zeroize();
    }
}

/// Seals a secret document for a connection, bound to that connection.
fn seal_document(
    cipher: &Cipher,
    id: ConnectionId,
    kind: SecretKind,
    document: &serde_json::Value,
    access_expires_at: Option<DateTime<Utc>>,
) -> Result<ConnectionSecret, AppError> {
    let plaintext = Zeroizing::new(
        serde_json::to_vec(document).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    let sealed = cipher.seal(&plaintext, &SecretLocation::Connection(id).context())?;
    Ok(ConnectionSecret {
        kind,
        sealed,
        access_expires_at,
    })
}

/// Seals OAuth tokens for a connection, however they were obtained; their
/// expiry is kept beside them, in the clear, for the refresher.
pub fn seal_tokens(
    cipher: &Cipher,
    id: ConnectionId,
    tokens: &Tokens,
) -> Result<ConnectionSecret, AppError> {
    let expires_at = tokens
        .expires_in
        .and_then(|s| i64::try_from(s).ok())
        .map(|s| Utc::now() + TimeDelta::seconds(s));
    let document = serde_json::json!({
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "expiresAt": expires_at,
    });
    seal_document(cipher, id, SecretKind::OAuthTokens, &document, expires_at)
}

/// Seals validated authorization material: typed credentials, or imported tokens.
pub fn seal_authorization(
    cipher: &Cipher,
    id: ConnectionId,
    authorization: Authorization,
) -> Result<ConnectionSecret, AppError> {
    match authorization {
        Authorization::Credentials(values) => seal_document(
            cipher,
            id,
            SecretKind::Credentials,
            &serde_json::json!(values),
            None,
        ),
        Authorization::Tokens(imported) => {
            let tokens = Tokens {
                access_token: imported.access_token,
                refresh_token: imported.refresh_token,
                expires_in: imported.expires_in,
            };
            seal_tokens(cipher, id, &tokens)
        }
    }
}

/// Opens a connection's secret if it holds OAuth tokens.
pub fn open_tokens(
    cipher: &Cipher,
    id: ConnectionId,
    secret: &ConnectionSecret,
) -> Result<Option<StoredTokens>, AppError> {
    if secret.kind != SecretKind::OAuthTokens {
        return Ok(None);
    }
    let plaintext = cipher.open(&secret.sealed, &SecretLocation::Connection(id).context())?;
    serde_json::from_slice(&plaintext)
        .map(Some)
        .map_err(|e| AppError::Internal(format!("stored tokens: {e}")))
}

/// The OAuth tokens a connection holds, if it holds any.
pub async fn stored_tokens<S>(
    store: &S,
    cipher: &Cipher,
    connection: &Connection,
) -> Result<Option<StoredTokens>, AppError>
where
    S: ConnectionRepository + ?Sized,
{
    let (client, company, id) = (connection.client_id, connection.company_id, connection.id);
    match store.get_connection_secret(client, company, id).await? {
        Some(secret) => open_tokens(cipher, id, &secret),
        None => Ok(None),
    }
}

/// The OAuth application to use for the connection's platform: the built-in
/// one for the Sandbox, otherwise the client's own.
pub async fn oauth_application<S>(
    store: &S,
    cipher: &Cipher,
    connection: &Connection,
) -> Result<Option<(String, Zeroizing<String>)>, AppError>
where
    S: IntegrationSettingsRepository + ?Sized,
{
    if connection.platform_key.as_str() == crate::sandbox::PLATFORM_KEY {
        return Ok(Some((
            crate::sandbox::CLIENT_ID.into(),
            Zeroizing::new(crate::sandbox::CLIENT_SECRET.into()),
        )));
    }
    let Some(setting) = store
        .get_integration_setting(connection.client_id, &connection.platform_key)
        .await?
    else {
        return Ok(None);
    };
    let Some(client) = setting.oauth_client else {
        return Ok(None);
    };
    let context =
        SecretLocation::IntegrationClient(connection.client_id, connection.platform_key.clone())
            .context();
    let secret = cipher.open(&client.client_secret, &context)?;
    let secret =
        String::from_utf8(secret.to_vec()).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some((client.client_id, Zeroizing::new(secret))))
}

/// The PKCE verifier kept with an OAuth state (whose value hashes to `state_hash`), opened.
pub fn open_verifier(
    cipher: &Cipher,
    saved: &OAuthState,
    state_hash: &str,
) -> Result<Zeroizing<String>, AppError> {
    let verifier = cipher.open(
        &saved.verifier,
        &SecretLocation::OAuthState(state_hash.to_owned()).context(),
    )?;
    String::from_utf8(verifier.to_vec())
        .map(Zeroizing::new)
        .map_err(|e| AppError::Internal(e.to_string()))
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
}
