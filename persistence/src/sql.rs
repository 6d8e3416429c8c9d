//! SQL text built at run time, for the query language: whitelisted columns
//! and operators only, every user value bound as a parameter.
//!
//! Both stores accept `$n` placeholders, so one rendering serves both; the
//! few constructs that differ (case-insensitive match, reading JSON tags)
//! are chosen by [`Dialect`].

use chrono::{DateTime, Utc};
use domain::company_query::CompanyField;
use domain::query::{Condition, Expr, Op, OrderBy, Value};
use uuid::Uuid;

/// The SQL flavour of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value to bind to the next `$n` placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Uuid(Uuid),
    DateTime(DateTime<Utc>),
    Int(i64),
    Bool(bool),
}

impl From<Value> for Bind {
    fn from(value: Value) -> Self {
        match value {
            Value::Text(t) => Bind::Text(t),
            Value::Uuid(u) => Bind::Uuid(u),
            Value::DateTime(d) => Bind::DateTime(d),
            Value::Bool(b) => Bind::Bool(b),
        }
    }
}

/// SQL text and the values for its placeholders, in order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Statement {
    /// Records a value and returns its placeholder.
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }
}

/// `FROM companies c WHERE …` for one client and an optional filter.
pub fn company_scope(
    dialect: Dialect,
    client: Uuid,
    filter: Option<&Expr<Condition<CompanyField>>>,
) -> Statement {
    let mut statement = Statement::default();
    let client = statement.bind(Bind::Uuid(client));
    statement.push(&format!(" FROM companies c WHERE c.client_id = {client}"));
    if let Some(filter) = filter {
        statement.push(" AND ");
        render_expr(&mut statement, dialect, filter);
    }
    statement
}

/// `ORDER BY …` with the id as tie-breaker, so pages never overlap.
pub fn company_order(order: &OrderBy<CompanyField>) -> String {
    let column = company_column(&order.field).unwrap_or("c.created_at");
    let direction = if order.descending {
        "DESC NULLS LAST"
    } else {
        "ASC NULLS FIRST"
    };
    let id_direction = if order.descending { "DESC" } else { "ASC" };
    format!(" ORDER BY {column} {direction}, c.id {id_direction}")
}

fn company_column(field: &CompanyField) -> Option<&'static str> {
    match field {
        CompanyField::Id => Some("c.id"),
        CompanyField::Name => Some("c.name"),
        CompanyField::Description => Some("c.description"),
        CompanyField::Created => Some("c.created_at"),
        CompanyField::Tag(_) => None,
    }
}

fn render_expr(out: &mut Statement, dialect: Dialect, expr: &Expr<Condition<CompanyField>>) {
    let (children, joiner) = match expr {
        Expr::Leaf(condition) => return render_condition(out, dialect, condition),
        Expr::And(children) => (children, " AND "),
        Expr::Or(children) => (children, " OR "),
    };
    out.push("(");
    for (i, child) in children.iter().enumerate() {
        if i > 0 {
            out.push(joiner);
        }
        render_expr(out, dialect, child);
    }
    out.push(")");
}

fn render_condition(out: &mut Statement, dialect: Dialect, condition: &Condition<CompanyField>) {
    let Condition { field, op, value } = condition;
    let sql = match (field, company_column(field)) {
        (CompanyField::Tag(key), _) => render_tag(out, dialect, key, *op, value),
        (_, Some(column)) => match (op, value) {
            (Op::Contains, Value::Text(text)) => {
                let pattern = out.bind(Bind::Text(like_pattern(text)));
                format!("{column} {} {pattern} ESCAPE '\\'", like_operator(dialect))
            }
            (Op::Ne, _) => format!(
                "{column} IS DISTINCT FROM {}",
                out.bind(value.clone().into())
            ),
            _ => format!(
                "{column} {} {}",
                op.symbol(),
                out.bind(value.clone().into())
            ),
        },
        (_, None) => "FALSE".to_owned(),
    };
    out.push(&sql);
}

fn render_tag(out: &mut Statement, dialect: Dialect, key: &str, op: Op, value: &Value) -> String {
    let Value::Text(text) = value else {
        return "FALSE".to_owned();
    };
    let key = out.bind(Bind::Text(key.to_owned()));
    if op == Op::Contains {
        let pattern = out.bind(Bind::Text(like_pattern(text)));
        let like = like_operator(dialect);
        return match dialect {
            Dialect::Postgres => format!("(c.tags ->> {key}) {like} {pattern} ESCAPE '\\'"),
            Dialect::Sqlite => format!(
                "EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.key = {key} AND t.value {like} {pattern} ESCAPE '\\')"
            ),
        };
    }
    let value = out.bind(Bind::Text(text.clone()));
    let has_pair = match dialect {
        Dialect::Postgres => format!("(c.tags @> jsonb_build_object({key}::text, {value}::text))"),
        Dialect::Sqlite => {
            format!("EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.key = {key} AND t.value = {value})")
        }
    };
    if op == Op::Ne {
        format!("NOT {has_pair}")
    } else {
        has_pair
    }
}

fn like_operator(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "LIKE",
        Dialect::Postgres => "ILIKE",
    }
}

/// `%text%` with the wildcard characters of `text` escaped.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::company_query::CompanyListQuery;
    use domain::paging::PageRequest;

    fn scope(dialect: Dialect, query: &str, tags: &str) -> Statement {
        let q =
            CompanyListQuery::parse(Some(query), Some(tags), None, PageRequest::default()).unwrap();
        company_scope(dialect, Uuid::nil(), q.filter.as_ref())
    }

    #[test]
    fn user_text_is_only_ever_bound() {
        let hostile = "x'; DROP TABLE companies; --";

        let statement = scope(
            Dialect::Postgres,
            &format!("name=\"{hostile}\""),
            &format!("k~\"{hostile}\""),
        );

        assert!(!statement.sql.contains("DROP"));
        assert!(statement.binds.contains(&Bind::Text(hostile.to_owned())));
    }

    #[test]
    fn like_wildcards_in_values_match_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let statement = scope(Dialect::Sqlite, "name=a || description!=b", "region=uk");

        assert_eq!(statement.binds.len(), 5);
        assert!(statement.sql.contains("$1") && statement.sql.contains("$5"));
    }
}
