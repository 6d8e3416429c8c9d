//! API keys: how many a client may hold and what their names may be.

use chrono::{DateTime, Utc};

use crate::ids::{ApiKeyId, ClientId};
use crate::validation::{char_len, FieldError};

/// Most API keys one client may hold at once.
pub const MAX_API_KEYS: u32 = 10;
/// Longest API key name.
pub const MAX_API_KEY_NAME_LEN: usize = 50;

/// Validates an optional key name; an empty name counts as none.
pub fn parse_api_key_name(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) if char_len(name) > MAX_API_KEY_NAME_LEN => Err(FieldError::new(
            "name",
            "MaxLength",
            format!("Max string length ({MAX_API_KEY_NAME_LEN}) for `name` reached."),
        )),
        Some(name) => Ok(Some(name.to_owned())),
    }
}

/// A stored API key. The secret itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub client_id: ClientId,
    pub name: Option<String>,
    pub created: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_longer_than_fifty_characters_are_refused() {
        assert!(parse_api_key_name(Some(&"a".repeat(50))).is_ok());
        assert_eq!(
            parse_api_key_name(Some(&"a".repeat(51))).unwrap_err().rule,
            "MaxLength"
        );
    }

    #[test]
    fn blank_names_count_as_none() {
        assert_eq!(parse_api_key_name(Some("  ")).unwrap(), None);
    }
}
