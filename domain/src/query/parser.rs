//! A recursive-descent parser for the query language.
//!
//! ```text
//! or         := and ( "||" and )*
//! and        := primary ( "&&" primary )*
//! primary    := "{" or "}" | comparison
//! comparison := property operator value
//! value      := "\"" escaped text "\"" | raw text up to "&&", "||", "}" or the end
//! ```
//! `&&` binds tighter than `||`. White space around tokens is ignored.

use super::ast::{Expr, Op, RawComparison};
use super::QueryError;

/// Queries of this many characters or more are refused.
pub const MAX_QUERY_LEN: usize = 2048;
/// Deepest nesting of `{ }` groups accepted.
pub const MAX_DEPTH: usize = 32;

/// Parses query text into an expression of raw comparisons.
pub fn parse(text: &str) -> Result<Expr<RawComparison>, QueryError> {
    let len = text.chars().count();
    if len >= MAX_QUERY_LEN {
        return Err(QueryError::TooLong(len));
    }
    let mut parser = Parser {
        src: text,
        pos: 0,
        depth: 0,
    };
    parser.skip_ws();
    if parser.at_end() {
        return Err(malformed("the query is empty."));
    }
    let expr = parser.or()?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(expr),
        Some(c) => Err(parser.unexpected(c)),
    }
}

fn malformed(detail: impl Into<String>) -> QueryError {
    QueryError::Malformed(detail.into())
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn unexpected(&self, c: char) -> QueryError {
        malformed(format!("unexpected `{c}` at position {}.", self.char_pos()))
    }

    fn char_pos(&self) -> usize {
        self.src[..self.pos].chars().count() + 1
    }

    fn or(&mut self) -> Result<Expr<RawComparison>, QueryError> {
        self.sequence("||", Self::and, Expr::Or)
    }

    fn and(&mut self) -> Result<Expr<RawComparison>, QueryError> {
        self.sequence("&&", Self::primary, Expr::And)
    }

    fn sequence(
        &mut self,
        joiner: &str,
        item: fn(&mut Self) -> Result<Expr<RawComparison>, QueryError>,
        build: fn(Vec<Expr<RawComparison>>) -> Expr<RawComparison>,
    ) -> Result<Expr<RawComparison>, QueryError> {
        let mut items = vec![item(self)?];
        while self.eat(joiner) {
            items.push(item(self)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            build(items)
        })
    }

    fn primary(&mut self) -> Result<Expr<RawComparison>, QueryError> {
        if !self.eat("{") {
            return self.comparison().map(Expr::Leaf);
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::TooDeep);
        }
        let inner = self.or()?;
        if !self.eat("}") {
            return Err(match self.peek() {
                Some(c) => self.unexpected(c),
                None => malformed("a `{` group is not closed with `}`."),
            });
        }
        self.depth -= 1;
        Ok(inner)
    }

    fn comparison(&mut self) -> Result<RawComparison, QueryError> {
        self.skip_ws();
        let start = self.char_pos();
        let end = self
            .rest()
            .find(|c: char| "=!~<>{}&|\"".contains(c))
            .unwrap_or(self.rest().len());
        let property = self.rest()[..end].trim().to_owned();
        self.pos += end;
        if property.is_empty() {
            return Err(match self.peek() {
                Some(c) => self.unexpected(c),
                None => malformed("a comparison is missing after `&&` or `||`."),
            });
        }
        let op = self.operator(&property)?;
        let value = self.value(&property, op)?;
        if value.is_empty() && !self.src[..self.pos].ends_with('"') {
            return Err(malformed(format!(
                "`{property}{op}` at position {start} has no value; write `\"\"` to compare with an empty string."
            )));
        }
        Ok(RawComparison {
            property,
            op,
            value,
        })
    }

    fn operator(&mut self, property: &str) -> Result<Op, QueryError> {
        for op in Op::ALL {
            if self.rest().starts_with(op.symbol()) {
                self.pos += op.symbol().len();
                return Ok(op);
            }
        }
        Err(malformed(format!(
            "expected an operator (=, !=, ~, >, <, >=, <=) after `{property}` at position {}.",
            self.char_pos()
        )))
    }

    fn value(&mut self, property: &str, op: Op) -> Result<String, QueryError> {
        self.skip_ws();
        if self.peek() == Some('"') {
            return self.quoted(property, op);
        }
        let rest = self.rest();
        let end = ["&&", "||", "}"]
            .iter()
            .filter_map(|stop| rest.find(stop))
            .min()
            .unwrap_or(rest.len());
        let raw = rest[..end].trim_end().to_owned();
        self.pos += end;
        Ok(raw)
    }

    fn quoted(&mut self, property: &str, op: Op) -> Result<String, QueryError> {
        self.pos += 1;
        let mut value = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(value);
                }
                '\\' => match chars.next() {
                    Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                    _ => {
                        return Err(malformed(format!(
                            "in the value of `{property}{op}`, `\\` may only escape `\"` or `\\`."
                        )))
                    }
                },
                other => value.push(other),
            }
        }
        Err(malformed(format!(
            "the quoted value of `{property}{op}` is not closed."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(property: &str, op: Op, value: &str) -> Expr<RawComparison> {
        Expr::Leaf(RawComparison {
            property: property.into(),
            op,
            value: value.into(),
        })
    }

    #[test]
    fn a_single_comparison_is_a_leaf() {
        assert_eq!(
            parse("name=Acme Ltd").unwrap(),
            leaf("name", Op::Eq, "Acme Ltd")
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let expr = parse("a=1 || b=2 && c=3").unwrap();

        assert_eq!(
            expr,
            Expr::Or(vec![
                leaf("a", Op::Eq, "1"),
                Expr::And(vec![leaf("b", Op::Eq, "2"), leaf("c", Op::Eq, "3")])
            ])
        );
    }

    #[test]
    fn groups_override_precedence() {
        let expr = parse("{a=1 || b=2} && c~x").unwrap();

        assert_eq!(
            expr,
            Expr::And(vec![
                Expr::Or(vec![leaf("a", Op::Eq, "1"), leaf("b", Op::Eq, "2")]),
                leaf("c", Op::Contains, "x")
            ])
        );
    }

    #[test]
    fn every_operator_is_recognised() {
        for op in Op::ALL {
            assert_eq!(
                parse(&format!("created{op}2024-01-01")).unwrap(),
                leaf("created", op, "2024-01-01")
            );
        }
    }

    #[test]
    fn quoted_values_may_hold_reserved_characters() {
        assert_eq!(
            parse(r#"name="a && b || } \" \\""#).unwrap(),
            leaf("name", Op::Eq, r#"a && b || } " \"#)
        );
    }

    #[test]
    fn dotted_properties_are_kept_whole() {
        assert_eq!(
            parse("dataConnections.status=Linked").unwrap(),
            leaf("dataConnections.status", Op::Eq, "Linked")
        );
    }

    #[test]
    fn malformed_queries_are_refused_with_a_reason() {
        for bad in [
            "",
            "name",
            "name=",
            "=x",
            "a=1 &&",
            "{a=1",
            "a=1}",
            "a=1 && || b=2",
            "name!x",
            r#"a="open"#,
        ] {
            assert!(
                matches!(parse(bad), Err(QueryError::Malformed(_))),
                "{bad:?} should be malformed"
            );
        }
    }

    #[test]
    fn queries_of_2048_characters_are_refused() {
        let long = format!("name={}", "x".repeat(MAX_QUERY_LEN - 5));

        assert_eq!(parse(&long), Err(QueryError::TooLong(MAX_QUERY_LEN)));
        assert!(parse(&long[1..]).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!(
            "{}a=1{}",
            "{".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );

        assert_eq!(parse(&deep), Err(QueryError::TooDeep));
    }
}
