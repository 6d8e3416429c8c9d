use domain::profile::Profile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the client presents itself, and where customers return after a journey.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "name": "Bank of Dave",
    "redirectUrl": "https://app.bankofdave.example/link/done?company={companyId}&status={statusCode}&ref={ref}",
    "logoUrl": "https://app.bankofdave.example/logo.png",
    "whiteListUrls": ["https://app.bankofdave.example"]
}))]
pub struct ProfileBody {
    /// Shown to customers; 1 to 100 characters.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: Option<String>,
    /// Where customers are sent when a journey step ends, with placeholders:
    /// `{companyId}`, `{connectionId}`, `{integrationId}`, `{sourceId}`, `{platform}`,
    /// `{platformName}`, `{sourceType}`, `{statusCode}`, `{errorMessage}`, `{statusText}`, and any
    /// `{name}` whose value is in the Link URL's query string. Empty: the service shows its own page.
    #[schema(value_type = String, required = true, max_length = 2000, pattern = "^$|^https?://")]
    pub redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000, pattern = "^$|^https?://")]
    pub logo_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000, pattern = "^$|^https?://")]
    pub icon_url: Option<String>,
    /// Origins customers may be sent back to; empty allows any.
    #[serde(default)]
    pub white_list_urls: Vec<String>,
}

impl From<Profile> for ProfileBody {
    fn from(profile: Profile) -> Self {
        Self {
            name: Some(profile.name),
            redirect_url: Some(profile.redirect_url),
            logo_url: profile.logo_url,
            icon_url: profile.icon_url,
            white_list_urls: profile.whitelist_urls,
        }
    }
}
