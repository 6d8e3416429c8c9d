use std::sync::Arc;

use domain::ports::Store;

use crate::catalogue::Catalogue;
use crate::crypto::Cipher;

/// What every handler shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalogue: Catalogue,
    pub cipher: Cipher,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
}
