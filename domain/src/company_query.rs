//! What callers may filter and sort companies by.

use crate::connection_query::{ConnectionField, ConnectionSchema};
use crate::paging::{CountMode, PageRequest};
use crate::query::{self, Condition, Expr, OrderBy, QueryError, QuerySchema, ValueKind};

/// A queryable property of a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyField {
    Id,
    Name,
    Description,
    Created,
    /// The value of the tag with this key.
    Tag(String),
    /// A property of any of the company's connections.
    Connection(ConnectionField),
}

/// The `query` and `orderBy` whitelist: `id`, `name`, `description`,
/// `created`, `tags.<key>` and `dataConnections.<connection property>`.
pub struct CompanySchema;

impl QuerySchema for CompanySchema {
    type Field = CompanyField;
    const RESOURCE: &'static str = "Company";

    fn field(property: &str) -> Option<(CompanyField, ValueKind)> {
        if let Some(key) = property.strip_prefix("tags.") {
            return TagSchema::field(key);
        }
        if let Some(inner) = property.strip_prefix("dataConnections.") {
            let (field, kind) = ConnectionSchema::field(inner)?;
            return Some((CompanyField::Connection(field), kind));
        }
        Some(match property {
            "id" => (CompanyField::Id, ValueKind::Uuid),
            "name" => (CompanyField::Name, ValueKind::Text),
            "description" => (CompanyField::Description, ValueKind::Text),
            "created" => (CompanyField::Created, ValueKind::DateTime),
            _ => return None,
        })
    }

    fn sort_field(property: &str) -> Option<CompanyField> {
        match Self::field(property)? {
            (CompanyField::Tag(_) | CompanyField::Connection(_), _) => None,
            (field, _) => Some(field),
        }
    }
}

/// The `tags` parameter: every property is a tag key, compared as text.
pub struct TagSchema;

impl QuerySchema for TagSchema {
    type Field = CompanyField;
    const RESOURCE: &'static str = "Tags";

    fn field(key: &str) -> Option<(CompanyField, ValueKind)> {
        let len = key.chars().count();
        (1..=crate::company::MAX_TAG_KEY_LEN)
            .contains(&len)
            .then(|| (CompanyField::Tag(key.to_owned()), ValueKind::Text))
    }

    fn sort_field(_: &str) -> Option<CompanyField> {
        None
    }
}

/// A validated request for a page of companies.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyListQuery {
    pub filter: Option<Expr<Condition<CompanyField>>>,
    pub order: OrderBy<CompanyField>,
    pub page: PageRequest,
    /// How `totalResults` is found: exactly unless the caller prefers an estimate.
    pub count: CountMode,
}

impl CompanyListQuery {
    /// Parses `query`, `tags` and `orderBy` (default: oldest first). Both filters must hold.
    pub fn parse(
        query_text: Option<&str>,
        tags_text: Option<&str>,
        order_by: Option<&str>,
        page: PageRequest,
    ) -> Result<Self, QueryError> {
        let filter = parse_filter::<CompanySchema>(query_text)?;
        let tags = parse_filter::<TagSchema>(tags_text)?;
        let order = match order_by.filter(|o| !o.trim().is_empty()) {
            Some(raw) => query::parse_order_by::<CompanySchema>(raw)?,
            None => OrderBy {
                field: CompanyField::Created,
                descending: false,
            },
        };
        Ok(Self {
            filter: Expr::and(filter, tags),
            order,
            page,
            count: CountMode::Exact,
        })
    }
}

fn parse_filter<S: QuerySchema>(
    text: Option<&str>,
) -> Result<Option<Expr<Condition<S::Field>>>, QueryError> {
    match text.filter(|t| !t.trim().is_empty()) {
        Some(text) => query::resolve::<S>(query::parse(text)?).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Op, Value};

    #[test]
    fn query_and_tags_are_combined() {
        let q = CompanyListQuery::parse(
            Some("name~acme"),
            Some("region=uk"),
            None,
            PageRequest::default(),
        )
        .unwrap();

        let Some(Expr::And(parts)) = q.filter else {
            panic!("expected both filters")
        };
        assert_eq!(
            parts[1],
            Expr::Leaf(Condition {
                field: CompanyField::Tag("region".into()),
                op: Op::Eq,
                value: Value::Text("uk".into())
            })
        );
    }

    #[test]
    fn tags_take_only_text_operators() {
        assert!(
            CompanyListQuery::parse(None, Some("region>uk"), None, PageRequest::default()).is_err()
        );
    }

    #[test]
    fn tags_can_be_ordered_by_no_one() {
        let error =
            CompanyListQuery::parse(None, None, Some("tags.region"), PageRequest::default())
                .unwrap_err();

        assert!(matches!(error, QueryError::OrderBy(_)));
    }

    #[test]
    fn descending_order_is_a_leading_minus() {
        let q = CompanyListQuery::parse(None, None, Some("-name"), PageRequest::default()).unwrap();

        assert_eq!(
            q.order,
            OrderBy {
                field: CompanyField::Name,
                descending: true
            }
        );
    }
}
