//! Row shapes shared by both stores, and their conversion to domain types.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::api_key::ApiKey;
use domain::company::{Company, CompanyFields, CompanyName, Tags};
use domain::ports::{Client, RepoError};
use sqlx::types::Json;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct ClientRow {
    pub id: Uuid,
    pub name: String,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Self {
            id: row.id.into(),
            name: row.name,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiKeyRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: row.id.into(),
            client_id: row.client_id.into(),
            name: row.name,
            created: row.created_at,
        }
    }
}

pub(crate) const COMPANY_COLUMNS: &str = "id, client_id, name, description, tags, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct CompanyRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub tags: Json<BTreeMap<String, String>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<CompanyRow> for Company {
    type Error = RepoError;

    fn try_from(row: CompanyRow) -> Result<Self, RepoError> {
        let name = CompanyName::parse(&row.name).map_err(|e| {
            RepoError::Failure(format!(
                "stored company {} has an invalid name: {}",
                row.id, e.message
            ))
        })?;
        Ok(Self {
            id: row.id.into(),
            client_id: row.client_id.into(),
            fields: CompanyFields {
                name,
                description: row.description,
                tags: Tags::from_stored(row.tags.0),
            },
            created: row.created_at,
        })
    }
}

/// The current time at the precision both stores keep (microseconds).
pub(crate) fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

/// A list stored as comma-separated text (of names that hold no comma).
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
