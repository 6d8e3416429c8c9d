//! What a client's settings make of a catalogue integration.

use domain::integration::{Integration, NotReady};
use domain::ports::IntegrationSetting;

/// Whether the client's customers may use `integration`.
pub fn enabled(integration: &Integration, setting: Option<&IntegrationSetting>) -> bool {
    integration.enabled(setting.map(|s| s.enabled))
}

/// Whether customers can connect `integration` in a journey now, by the
/// client's setting: enabled, not import-only, and for OAuth with an
/// application registered (the Sandbox brings its own).
pub fn readiness(
    integration: &Integration,
    setting: Option<&IntegrationSetting>,
) -> Result<(), NotReady> {
    let has_application = integration.key.as_str() == crate::sandbox::PLATFORM_KEY
        || setting.is_some_and(|s| s.oauth_client.is_some());
    integration.readiness(enabled(integration, setting), has_application)
}
