use std::sync::Arc;

use domain::ports::Store;

/// What every handler shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
}
