//! The service's encryption keys from its settings: `LINK_ENCRYPTION_KEY`,
//! or, for the embedded SQLite store alone, a key file kept beside the
//! database. Sealing and opening are `app::secrets`.

use std::path::{Path, PathBuf};

use aes_gcm::aead::{KeyInit, OsRng};
use aes_gcm::Aes256Gcm;
use app::secrets::Cipher;
use base64::Engine;
use secrecy::ExposeSecret;

use crate::config::{parse_encryption_keys, ConfigError, Settings};

/// The keys of `LINK_ENCRYPTION_KEY`. Without it, a SQLite store keeps a
/// generated key in a file beside the database (mode 0600), so the
/// embedded default needs no setting; PostgreSQL, shared by replicas, needs the setting.
pub fn cipher_from_settings(settings: &Settings) -> Result<Cipher, ConfigError> {
    const VAR: &str = "LINK_ENCRYPTION_KEY";
    let keys = match &settings.encryption_key {
        Some(keys) => parse_encryption_keys(keys.expose_secret())?,
        None => match sqlite_key_file(&settings.database_url) {
            Some(path) => vec![(
                1,
                local_key(&path).map_err(|problem| ConfigError {
                    variable: VAR,
                    problem,
                })?,
            )],
            None => {
                return Err(ConfigError {
                    variable: VAR,
                    problem:
                        "is required with PostgreSQL, and every replica must have the same keys"
                            .into(),
                })
            }
        },
    };
    Cipher::new(keys).ok_or(ConfigError {
        variable: VAR,
        problem: "holds no key".into(),
    })
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
