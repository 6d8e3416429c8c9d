use chrono::{DateTime, Utc};
use domain::api_key::ApiKey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An API key. The key itself is returned only when it is created.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41",
    "name": "invoice-processor",
    "apiKey": "hF3kq9ZtR2mW8xYb4NcV7pLs1DgJ6uEa0TiKoQwS",
    "createdDate": "2026-01-05T10:45:18.195052Z"
}))]
pub struct ApiKeyDetails {
    pub id: Uuid,
    /// A label to tell keys apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 50)]
    pub name: Option<String>,
    /// The secret key: present only in the response that creates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_date: DateTime<Utc>,
}

impl ApiKeyDetails {
    pub fn new(key: ApiKey, secret: Option<String>) -> Self {
        Self {
            id: key.id.as_uuid(),
            name: key.name,
            api_key: secret,
            created_date: key.created,
        }
    }
}

/// The client's API keys, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeys {
    pub results: Vec<ApiKeyDetails>,
}

/// What to call a new key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"name": "invoice-processor"}))]
pub struct CreateApiKey {
    /// Up to 50 characters.
    #[schema(max_length = 50)]
    pub name: Option<String>,
}
