//! What callers may filter and sort connections by.

use crate::integration::SourceType;
use crate::paging::PageRequest;
use crate::query::{self, Condition, Expr, Op, OrderBy, QueryError, QuerySchema, Value, ValueKind};

/// A queryable property of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionField {
    Id,
    Status,
    IntegrationKey,
    SourceType,
    Created,
}

/// The `query` and `orderBy` whitelist of connection lists: `id`, `status`,
/// `integrationKey`, `sourceType` and `created`.
pub struct ConnectionSchema;

impl QuerySchema for ConnectionSchema {
    type Field = ConnectionField;
    const RESOURCE: &'static str = "Connection";

    fn field(property: &str) -> Option<(ConnectionField, ValueKind)> {
        Some(match property {
            "id" => (ConnectionField::Id, ValueKind::Uuid),
            "status" => (ConnectionField::Status, ValueKind::Text),
            "integrationKey" => (ConnectionField::IntegrationKey, ValueKind::Text),
            "sourceType" => (ConnectionField::SourceType, ValueKind::Text),
            "created" => (ConnectionField::Created, ValueKind::DateTime),
            _ => return None,
        })
    }

    fn sort_field(property: &str) -> Option<ConnectionField> {
        Self::field(property).map(|(field, _)| field)
    }
}

/// A validated request for a page of one company's connections.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionListQuery {
    pub filter: Option<Expr<Condition<ConnectionField>>>,
    pub order: OrderBy<ConnectionField>,
    pub page: PageRequest,
}

impl ConnectionListQuery {
    /// Narrows the query to connections of the given source types.
    pub fn limited_to(mut self, source_types: &[SourceType]) -> Self {
        let mut leaves: Vec<Expr<Condition<ConnectionField>>> = source_types
            .iter()
            .map(|t| {
                Expr::Leaf(Condition {
                    field: ConnectionField::SourceType,
                    op: Op::Eq,
                    value: Value::Text(t.as_str().to_owned()),
                })
            })
            .collect();
        let limit = match leaves.len() {
            0 | 1 => leaves.pop().unwrap_or_else(|| {
                // No source type at all: a condition nothing matches.
                Expr::Leaf(Condition {
                    field: ConnectionField::SourceType,
                    op: Op::Eq,
                    value: Value::Text(String::new()),
                })
            }),
            _ => Expr::Or(leaves),
        };
        self.filter = Expr::and(self.filter, Some(limit));
        self
    }

    /// Parses `query` and `orderBy` (default: oldest first).
    pub fn parse(
        query_text: Option<&str>,
        order_by: Option<&str>,
        page: PageRequest,
    ) -> Result<Self, QueryError> {
        let filter = match query_text.filter(|t| !t.trim().is_empty()) {
            Some(text) => Some(query::resolve::<ConnectionSchema>(query::parse(text)?)?),
            None => None,
        };
        let order = match order_by.filter(|o| !o.trim().is_empty()) {
            Some(raw) => query::parse_order_by::<ConnectionSchema>(raw)?,
            None => OrderBy {
                field: ConnectionField::Created,
                descending: false,
            },
        };
        Ok(Self {
            filter,
            order,
            page,
        })
    }
}
