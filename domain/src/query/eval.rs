//! Evaluating a resolved filter against records held in memory, for
//! resources that are not rows in a store (such as the integration catalogue).

use std::cmp::Ordering;

use super::ast::{Expr, Op};
use super::schema::{Condition, Value};

/// A record whose fields a filter can read.
pub trait Record<F> {
    /// The value of `field`, or `None` when the record has none.
    fn value(&self, field: &F) -> Option<Value>;
}

/// Whether `record` satisfies `expr`. Text compares without regard to case;
/// a missing value satisfies only `!=`.
pub fn matches<F, R: Record<F>>(expr: &Expr<Condition<F>>, record: &R) -> bool {
    match expr {
        Expr::And(children) => children.iter().all(|c| matches(c, record)),
        Expr::Or(children) => children.iter().any(|c| matches(c, record)),
        Expr::Leaf(condition) => holds(condition, record.value(&condition.field)),
    }
}

fn holds<F>(condition: &Condition<F>, actual: Option<Value>) -> bool {
    let Some(actual) = actual else {
        return condition.op == Op::Ne;
    };
    if let (Op::Contains, Value::Text(have), Value::Text(want)) =
        (condition.op, &actual, &condition.value)
    {
        return have.to_lowercase().contains(&want.to_lowercase());
    }
    let ordering = match (&actual, &condition.value) {
        (Value::Text(a), Value::Text(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Value::Uuid(a), Value::Uuid(b)) => a.cmp(b),
        (Value::DateTime(a), Value::DateTime(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        _ => return condition.op == Op::Ne,
    };
    match condition.op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Lt => ordering == Ordering::Less,
        Op::Ge => ordering != Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Contains => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse, resolve, QuerySchema, ValueKind};

    struct Platform {
        name: &'static str,
        enabled: bool,
    }

    #[derive(Clone)]
    enum F {
        Name,
        Enabled,
        Missing,
    }

    struct Schema;

    impl QuerySchema for Schema {
        type Field = F;
        const RESOURCE: &'static str = "Platform";

        fn field(property: &str) -> Option<(F, ValueKind)> {
            match property {
                "name" => Some((F::Name, ValueKind::Text)),
                "enabled" => Some((F::Enabled, ValueKind::Bool)),
                "missing" => Some((F::Missing, ValueKind::Text)),
                _ => None,
            }
        }

        fn sort_field(_: &str) -> Option<F> {
            None
        }
    }

    impl Record<F> for Platform {
        fn value(&self, field: &F) -> Option<Value> {
            match field {
                F::Name => Some(Value::Text(self.name.into())),
                F::Enabled => Some(Value::Bool(self.enabled)),
                F::Missing => None,
            }
        }
    }

    fn check(query: &str, record: &Platform) -> bool {
        matches(&resolve::<Schema>(parse(query).unwrap()).unwrap(), record)
    }

    #[test]
    fn text_compares_without_regard_to_case() {
        let xero = Platform {
            name: "Xero",
            enabled: true,
        };

        assert!(check("name=xero", &xero));
        assert!(check("name~ER", &xero));
        assert!(!check("name!=XERO", &xero));
    }

    #[test]
    fn booleans_and_combinations() {
        let off = Platform {
            name: "Sage 50",
            enabled: false,
        };

        assert!(check("enabled=FALSE && name~sage", &off));
        assert!(!check("enabled=true || name=xero", &off));
        assert!(check("{enabled=true || name=xero} || name~50", &off));
    }

    #[test]
    fn a_missing_value_satisfies_only_not_equals() {
        let any = Platform {
            name: "Xero",
            enabled: true,
        };

        assert!(check("missing!=x", &any));
        assert!(!check("missing=x", &any) && !check("missing~x", &any));
    }
}
