//! The query language of list endpoints (`query`, `tags` and `orderBy`).
//!
//! Text is parsed into an expression of raw comparisons, then each comparison
//! is resolved against a resource's whitelist ([`QuerySchema`]) into a typed
//! [`Condition`]. Only whitelisted fields and typed values leave this module,
//! so user text can only ever reach a store as a bound value.

mod ast;
mod eval;
mod order;
mod parser;
mod schema;

pub use ast::{Expr, Op, RawComparison};
pub use eval::{matches, Record};
pub use order::{parse_order_by, OrderBy};
pub use parser::{parse, MAX_DEPTH, MAX_QUERY_LEN};
pub use schema::{resolve, Condition, QuerySchema, Value, ValueKind};

use thiserror::Error;

/// Why a query was refused. Displays as the wire contract's
/// `Error parsing query - …` message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    #[error("Error parsing query - the query must be shorter than {MAX_QUERY_LEN} characters; it has {0}.")]
    TooLong(usize),
    #[error("Error parsing query - Malformed query: {0}")]
    Malformed(String),
    #[error("Error parsing query - groups are nested deeper than {MAX_DEPTH} levels.")]
    TooDeep,
    #[error("Error parsing query - Could not resolve property {property} on {resource}")]
    UnknownProperty {
        property: String,
        resource: &'static str,
    },
    #[error("Error parsing query - the operator {op} cannot be used with {property}; use one of {allowed}.")]
    UnsupportedOperator {
        property: String,
        op: Op,
        allowed: String,
    },
    #[error("Error parsing query - {value:?} is not a valid value for {property}: {expected}.")]
    InvalidValue {
        property: String,
        value: String,
        expected: &'static str,
    },
    #[error("Error parsing orderBy - {0}")]
    OrderBy(String),
}
