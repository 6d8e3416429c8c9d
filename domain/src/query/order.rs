//! `orderBy=field` (ascending) and `orderBy=-field` (descending).

use super::schema::QuerySchema;
use super::QueryError;

/// A validated sort order on a whitelisted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy<F> {
    pub field: F,
    pub descending: bool,
}

/// Parses an `orderBy` value against schema `S`.
pub fn parse_order_by<S: QuerySchema>(raw: &str) -> Result<OrderBy<S::Field>, QueryError> {
    let raw = raw.trim();
    let (descending, property) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, raw),
    };
    if property.is_empty() {
        return Err(QueryError::OrderBy(
            "name a property, e.g. `orderBy=-created`.".into(),
        ));
    }
    let field = S::sort_field(property).ok_or_else(|| {
        QueryError::OrderBy(format!(
            "Could not resolve property {property} on {}",
            S::RESOURCE
        ))
    })?;
    Ok(OrderBy { field, descending })
}
