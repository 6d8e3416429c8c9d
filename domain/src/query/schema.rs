//! Resolution of raw comparisons against a resource's whitelist of properties.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use super::ast::{Expr, Op, RawComparison};
use super::QueryError;

/// The type of a queryable property, which decides the operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Compared as text: `=`, `!=`, `~` (contains, ignoring ASCII case).
    Text,
    /// A UUID: `=`, `!=`.
    Uuid,
    /// A moment in time: every operator but `~`.
    DateTime,
    /// `true` or `false` (any case): `=`, `!=`.
    Bool,
}

impl ValueKind {
    pub fn allows(self, op: Op) -> bool {
        match self {
            ValueKind::Text => matches!(op, Op::Eq | Op::Ne | Op::Contains),
            ValueKind::Uuid | ValueKind::Bool => matches!(op, Op::Eq | Op::Ne),
            ValueKind::DateTime => op != Op::Contains,
        }
    }

    fn allowed(self) -> String {
        let ops: Vec<&str> = Op::ALL
            .iter()
            .filter(|op| self.allows(**op))
            .map(|op| op.symbol())
            .collect();
        ops.join(" ")
    }

    fn convert(self, property: &str, raw: String) -> Result<Value, QueryError> {
        let invalid = |expected| QueryError::InvalidValue {
            property: property.to_owned(),
            value: raw.clone(),
            expected,
        };
        match self {
            ValueKind::Text => Ok(Value::Text(raw)),
            ValueKind::Uuid => Uuid::parse_str(&raw)
                .map(Value::Uuid)
                .map_err(|_| invalid("a UUID such as 8a210b68-6988-11ed-a1eb-0242ac120002")),
            ValueKind::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(invalid("true or false")),
            },
            ValueKind::DateTime => parse_datetime(&raw).map(Value::DateTime).ok_or_else(|| {
                invalid("a date (2024-01-31) or an ISO-8601 date and time (2024-01-31T12:00:00Z)")
            }),
        }
    }
}

/// Accepts a full RFC 3339 timestamp, a date and time taken as UTC, or a date (midnight UTC).
fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(moment) = DateTime::parse_from_rfc3339(raw) {
        return Some(moment.with_timezone(&Utc));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

/// A typed value, safe to bind as a statement parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Uuid(Uuid),
    DateTime(DateTime<Utc>),
    Bool(bool),
}

/// A resolved comparison on a whitelisted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition<F> {
    pub field: F,
    pub op: Op,
    pub value: Value,
}

/// What a resource lets callers filter and sort on.
pub trait QuerySchema {
    /// The resource's queryable fields; stores map each to a column.
    type Field: Clone;
    /// The resource name used in error messages, e.g. `Company`.
    const RESOURCE: &'static str;

    /// The field behind a property name, with its type, or `None` if not queryable.
    fn field(property: &str) -> Option<(Self::Field, ValueKind)>;

    /// The field behind a property name that results may be ordered by.
    fn sort_field(property: &str) -> Option<Self::Field>;
}

/// Resolves every comparison of `expr` against schema `S`.
pub fn resolve<S: QuerySchema>(
    expr: Expr<RawComparison>,
) -> Result<Expr<Condition<S::Field>>, QueryError> {
    expr.try_map(&mut |raw: RawComparison| {
        let (field, kind) = S::field(&raw.property).ok_or_else(|| QueryError::UnknownProperty {
            property: raw.property.clone(),
            resource: S::RESOURCE,
        })?;
        if !kind.allows(raw.op) {
            return Err(QueryError::UnsupportedOperator {
                property: raw.property,
                op: raw.op,
                allowed: kind.allowed(),
            });
        }
        let value = kind.convert(&raw.property, raw.value)?;
        Ok(Condition {
            field,
            op: raw.op,
            value,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    #[derive(Debug, Clone, PartialEq)]
    enum F {
        Name,
        Created,
    }

    struct Thing;

    impl QuerySchema for Thing {
        type Field = F;
        const RESOURCE: &'static str = "Thing";

        fn field(property: &str) -> Option<(F, ValueKind)> {
            match property {
                "name" => Some((F::Name, ValueKind::Text)),
                "created" => Some((F::Created, ValueKind::DateTime)),
                _ => None,
            }
        }

        fn sort_field(property: &str) -> Option<F> {
            Self::field(property).map(|(f, _)| f)
        }
    }

    #[test]
    fn unknown_properties_name_the_resource() {
        let error = resolve::<Thing>(parse("colour=red").unwrap()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "Error parsing query - Could not resolve property colour on Thing"
        );
    }

    #[test]
    fn dates_are_typed() {
        let expr = resolve::<Thing>(parse("created>=2024-01-31").unwrap()).unwrap();

        let Expr::Leaf(condition) = expr else {
            panic!("expected a leaf")
        };
        assert_eq!(
            condition.value,
            Value::DateTime("2024-01-31T00:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn bad_dates_and_operators_are_refused() {
        assert!(matches!(
            resolve::<Thing>(parse("created>yesterday").unwrap()),
            Err(QueryError::InvalidValue { .. })
        ));
        assert!(matches!(
            resolve::<Thing>(parse("name>b").unwrap()),
            Err(QueryError::UnsupportedOperator { .. })
        ));
    }
}
