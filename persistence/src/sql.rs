//! SQL text built at run time, for the query language: whitelisted columns
//! and operators only, every user value bound as a parameter.
//!
//! Both stores accept `$n` placeholders, so one rendering serves both; the
//! few constructs that differ (case-insensitive match, reading JSON tags)
//! are chosen by [`Dialect`].

use chrono::{DateTime, Utc};
use domain::company_query::CompanyField;
use domain::connection_query::ConnectionField;
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

/// Where a whitelisted field lives in SQL.
pub enum Target<'a> {
    /// A column of the listed table (aliased `c`); enum-like columns compare without regard to case.
    Column {
        name: &'static str,
        case_insensitive: bool,
    },
    /// The value of a tag in the `tags` JSON column.
    Tag(&'a str),
    /// A column of any of the company's connections.
    AnyConnection {
        name: &'static str,
        case_insensitive: bool,
    },
}

/// A field the query language can filter and order by.
pub trait SqlField {
    fn target(&self) -> Target<'_>;
}

const fn column(name: &'static str) -> Target<'static> {
    Target::Column {
        name,
        case_insensitive: false,
    }
}

impl SqlField for CompanyField {
    fn target(&self) -> Target<'_> {
        match self {
            CompanyField::Id => column("id"),
            CompanyField::Name => column("name"),
            CompanyField::Description => column("description"),
            CompanyField::Created => column("created_at"),
            CompanyField::Tag(key) => Target::Tag(key),
            CompanyField::Connection(field) => match field.target() {
                Target::Column {
                    name,
                    case_insensitive,
                } => Target::AnyConnection {
                    name,
                    case_insensitive,
                },
                other => other,
            },
        }
    }
}

impl SqlField for ConnectionField {
    fn target(&self) -> Target<'_> {
        let enum_like = |name| Target::Column {
            name,
            case_insensitive: true,
        };
        match self {
            ConnectionField::Id => column("id"),
            ConnectionField::Status => enum_like("status"),
            ConnectionField::IntegrationKey => enum_like("platform_key"),
            ConnectionField::SourceType => enum_like("source_type"),
            ConnectionField::Created => column("created_at"),
        }
    }
}

/// `FROM <table> c WHERE c.client_id = $1 [AND <scope>] [AND <filter>]`.
pub fn scope<F: SqlField>(
    dialect: Dialect,
    table: &str,
    client: Uuid,
    company: Option<Uuid>,
    filter: Option<&Expr<Condition<F>>>,
) -> Statement {
    let mut statement = Statement::default();
    let client = statement.bind(Bind::Uuid(client));
    statement.push(&format!(" FROM {table} c WHERE c.client_id = {client}"));
    if let Some(company) = company {
        let company = statement.bind(Bind::Uuid(company));
        statement.push(&format!(" AND c.company_id = {company}"));
    }
    if let Some(filter) = filter {
        statement.push(" AND ");
        render_expr(&mut statement, dialect, filter);
    }
    statement
}

/// Columns the query language orders by that may hold NULL.
const NULLABLE_COLUMNS: [&str; 1] = ["description"];

/// `ORDER BY …` with the id as tie-breaker, so pages never overlap. NULL
/// sorts as the smallest value, as SQLite does; the other columns are
/// ordered plainly, so PostgreSQL walks their indexes instead of sorting.
pub fn order<F: SqlField>(order: &OrderBy<F>) -> String {
    let column = match order.field.target() {
        Target::Column { name, .. } => name,
        _ => "created_at",
    };
    let nulls = NULLABLE_COLUMNS.contains(&column);
    let direction = match (order.descending, nulls) {
        (true, true) => "DESC NULLS LAST",
        (true, false) => "DESC",
        (false, true) => "ASC NULLS FIRST",
        (false, false) => "ASC",
    };
    let id_direction = if order.descending { "DESC" } else { "ASC" };
    format!(" ORDER BY c.{column} {direction}, c.id {id_direction}")
}

fn render_expr<F: SqlField>(out: &mut Statement, dialect: Dialect, expr: &Expr<Condition<F>>) {
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

fn render_condition<F: SqlField>(out: &mut Statement, dialect: Dialect, condition: &Condition<F>) {
    let Condition { field, op, value } = condition;
    let sql = match field.target() {
        Target::Tag(key) => render_tag(out, dialect, key, *op, value),
        Target::Column {
            name,
            case_insensitive,
        } => compare(
            out,
            dialect,
            &format!("c.{name}"),
            case_insensitive,
            *op,
            value,
        ),
        Target::AnyConnection {
            name,
            case_insensitive,
        } => {
            // `!=` means no connection has the value, as with tags.
            let (not, op) = if *op == Op::Ne {
                ("NOT ", Op::Eq)
            } else {
                ("", *op)
            };
            let test = compare(
                out,
                dialect,
                &format!("dc.{name}"),
                case_insensitive,
                op,
                value,
            );
            format!(
                "{not}EXISTS (SELECT 1 FROM connections dc WHERE dc.company_id = c.id AND {test})"
            )
        }
    };
    out.push(&sql);
}

fn compare(
    out: &mut Statement,
    dialect: Dialect,
    column: &str,
    case_insensitive: bool,
    op: Op,
    value: &Value,
) -> String {
    match (op, value) {
        (Op::Contains, Value::Text(text)) => {
            let pattern = out.bind(Bind::Text(like_pattern(text)));
            format!("{column} {} {pattern} ESCAPE '\\'", like_operator(dialect))
        }
        (_, Value::Text(text)) if case_insensitive => {
            let placeholder = out.bind(Bind::Text(text.to_lowercase()));
            let op = if op == Op::Ne {
                "IS DISTINCT FROM"
            } else {
                op.symbol()
            };
            format!("lower({column}) {op} {placeholder}")
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
    }
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

    fn company_scope(dialect: Dialect, query: &str, tags: &str) -> Statement {
        let q =
            CompanyListQuery::parse(Some(query), Some(tags), None, PageRequest::default()).unwrap();
        super::scope(dialect, "companies", Uuid::nil(), None, q.filter.as_ref())
    }

    #[test]
    fn user_text_is_only_ever_bound() {
        let hostile = "x'; DROP TABLE companies; --";

        let statement = company_scope(
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
    fn only_nullable_columns_say_where_nulls_go() {
        let by = |field, descending| order(&OrderBy { field, descending });

        assert_eq!(
            by(CompanyField::Created, false),
            " ORDER BY c.created_at ASC, c.id ASC"
        );
        assert_eq!(
            by(CompanyField::Name, true),
            " ORDER BY c.name DESC, c.id DESC"
        );
        assert_eq!(
            by(CompanyField::Description, false),
            " ORDER BY c.description ASC NULLS FIRST, c.id ASC"
        );
        assert_eq!(
            by(CompanyField::Description, true),
            " ORDER BY c.description DESC NULLS LAST, c.id DESC"
        );
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let statement = company_scope(Dialect::Sqlite, "name=a || description!=b", "region=uk");

        assert_eq!(statement.binds.len(), 5);
        assert!(statement.sql.contains("$1") && statement.sql.contains("$5"));
    }
}
