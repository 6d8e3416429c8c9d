use chrono::{DateTime, Utc};
use domain::connection::{Actor, Connection, ConnectionError, ConnectionStatus, HistoryEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::integration::SourceTypeBody;
use super::paging::PagingInfo;
use crate::catalogue::Catalogue;

/// Where a connection stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum StatusBody {
    PendingAuth,
    Linked,
    Unlinked,
    Deauthorized,
}

impl From<ConnectionStatus> for StatusBody {
    fn from(status: ConnectionStatus) -> Self {
        match status {
            ConnectionStatus::PendingAuth => Self::PendingAuth,
            ConnectionStatus::Linked => Self::Linked,
            ConnectionStatus::Unlinked => Self::Unlinked,
            ConnectionStatus::Deauthorized => Self::Deauthorized,
        }
    }
}

/// A company's connection to one platform.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0198f3c2-7b10-7c3e-8d51-2f6a9e0b1c22", "integrationId": "9f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f",
    "integrationKey": "mqjo", "sourceId": "3ab3e3a4-4c3b-5d0e-9b0e-1a5c4a8e9f10", "sourceType": "Accounting",
    "platformName": "Sandbox",
    "linkUrl": "http://localhost:8080/link/companies/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41/connections/0198f3c2-7b10-7c3e-8d51-2f6a9e0b1c22/start",
    "status": "PendingAuth", "created": "2026-01-05T10:45:18.195052Z"
}))]
pub struct ConnectionBody {
    pub id: Uuid,
    pub integration_id: Uuid,
    /// The platform's four-letter key.
    pub integration_key: String,
    pub source_id: Uuid,
    pub source_type: SourceTypeBody,
    pub platform_name: String,
    /// Where the customer authorizes this connection.
    pub link_url: String,
    pub status: StatusBody,
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    /// Problems met while authorizing or keeping the connection, newest first. Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_connection_errors: Vec<ConnectionErrorBody>,
}

/// A problem met while authorizing or keeping a connection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionErrorBody {
    pub status_code: String,
    pub status_text: String,
    pub error_message: String,
    #[schema(value_type = String, format = DateTime)]
    pub errored_on_utc: DateTime<Utc>,
    /// `Active`, or `Resolved` once the connection was linked since.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_on_utc: Option<DateTime<Utc>>,
}

impl From<ConnectionError> for ConnectionErrorBody {
    fn from(error: ConnectionError) -> Self {
        Self {
            status_code: error.status_code,
            status_text: error.status_text,
            error_message: error.error_message,
            errored_on_utc: error.errored_on,
            status: if error.resolved_on.is_some() {
                "Resolved"
            } else {
                "Active"
            },
            resolved_on_utc: error.resolved_on,
        }
    }
}

/// The customer's starting point for a connection.
pub fn link_url(public_url: &str, connection: &Connection) -> String {
    format!(
        "{public_url}/link/companies/{}/connections/{}/start",
        connection.company_id, connection.id
    )
}

impl ConnectionBody {
    pub fn new(connection: Connection, catalogue: &Catalogue, public_url: &str) -> Self {
        let entry = catalogue.get(&connection.platform_key);
        let link_url = link_url(public_url, &connection);
        Self {
            id: connection.id.as_uuid(),
            integration_id: entry.map(|e| e.integration_id).unwrap_or_default(),
            integration_key: connection.platform_key.to_string(),
            source_id: entry.map(|e| e.source_id).unwrap_or_default(),
            source_type: connection.source_type.into(),
            platform_name: entry.map_or_else(
                || connection.platform_key.to_string(),
                |e| e.integration.name.clone(),
            ),
            link_url,
            status: connection.status.into(),
            created: connection.created,
            data_connection_errors: connection
                .errors
                .into_iter()
                .map(ConnectionErrorBody::from)
                .collect(),
        }
    }
}

/// A page of connections.
#[derive(Debug, Serialize, ToSchema)]
pub struct Connections {
    pub results: Vec<ConnectionBody>,
    #[serde(flatten)]
    pub paging: PagingInfo,
}

/// The platform to connect.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"platformKey": "mqjo"}))]
pub struct CreateConnectionRequest {
    /// The four-letter key of an enabled integration.
    #[schema(value_type = String, required = true, example = "mqjo", pattern = "^[a-z]{4}$")]
    pub platform_key: Option<String>,
}

/// The only change a client makes to a connection: unlinking it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"status": "Unlinked"}))]
pub struct UpdateConnectionStatus {
    /// The only status a client sets.
    #[schema(value_type = String, required = true, example = "Unlinked", pattern = "^Unlinked$")]
    pub status: Option<String>,
}

/// Filters, order and paging of a company's connections.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ConnectionListParams {
    /// Page number, from 1.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647, default = 1, example = 1)]
    pub page: Option<i64>,
    /// Number of connections in a page, from 1 to 5000.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5000, default = 100, example = 100)]
    pub page_size: Option<i64>,
    /// A filter on `id`, `status`, `integrationKey`, `sourceType` and `created`.
    #[param(example = "status=Linked")]
    pub query: Option<String>,
    /// `created` (the default), `status`, `integrationKey`, `sourceType` or `id`, with a leading `-` for descending.
    #[param(example = "-created")]
    pub order_by: Option<String>,
}

/// One recorded transition.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntryBody {
    /// Left out for the creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<StatusBody>,
    /// Left out for the deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<StatusBody>,
    /// E.g. `Created`, `Authorized`, `UnlinkedByClient`, `UnlinkedByCustomer`, `RefreshRefused`.
    #[schema(example = "Created")]
    pub cause: &'static str,
    /// `client:<API key id>`, `customer`, `provider` or `system`.
    #[schema(example = "customer")]
    pub actor: String,
    #[schema(value_type = String, format = DateTime)]
    pub occurred: DateTime<Utc>,
}

impl From<HistoryEntry> for HistoryEntryBody {
    fn from(entry: HistoryEntry) -> Self {
        Self {
            from: entry.from.map(StatusBody::from),
            to: entry.to.map(StatusBody::from),
            cause: entry.cause.as_str(),
            actor: Actor::to_text(entry.actor),
            occurred: entry.occurred,
        }
    }
}

/// Every transition of a connection, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionHistory {
    pub results: Vec<HistoryEntryBody>,
}
