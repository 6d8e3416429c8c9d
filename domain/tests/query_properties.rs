//! Property tests for the query language parser.

use domain::query::{parse, Expr, Op, QueryError, RawComparison, MAX_QUERY_LEN};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    proptest::sample::select(Op::ALL.to_vec())
}

fn leaf() -> impl Strategy<Value = Expr<RawComparison>> {
    ("[a-zA-Z][a-zA-Z0-9_.]{0,12}", op(), any::<String>()).prop_map(|(property, op, value)| {
        Expr::Leaf(RawComparison {
            property,
            op,
            value,
        })
    })
}

fn expr() -> impl Strategy<Value = Expr<RawComparison>> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            proptest::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

proptest! {
    #[test]
    fn the_canonical_form_parses_back_to_the_same_expression(e in expr()) {
        let text = e.to_string();
        prop_assume!(text.chars().count() < MAX_QUERY_LEN);

        prop_assert_eq!(parse(&text), Ok(e));
    }

    #[test]
    fn any_input_is_answered_without_panicking(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn inputs_built_from_query_tokens_are_answered_without_panicking(
        text in proptest::collection::vec(
            prop_oneof![Just("{"), Just("}"), Just("&&"), Just("||"), Just("="), Just("!="), Just("~"),
                        Just(">="), Just("\""), Just("\\"), Just(" "), Just("name"), Just("x")],
            0..40,
        ).prop_map(|parts| parts.concat())
    ) {
        let _ = parse(&text);
    }

    #[test]
    fn white_space_around_tokens_does_not_change_the_meaning(
        property in "[a-z]{1,8}", value in "[a-z0-9]{1,8}", pad in " {0,3}"
    ) {
        let spaced = format!("{pad}{{{pad}{property}{pad}={pad}{value}{pad}&&{pad}{property}!={pad}x{pad}}}{pad}");
        let tight = format!("{property}={value}&&{property}!=x");

        prop_assert_eq!(parse(&spaced), parse(&tight));
    }

    #[test]
    fn overlong_queries_are_always_refused(extra in 0usize..64) {
        let text = format!("name={}", "a".repeat(MAX_QUERY_LEN - 5 + extra));

        prop_assert!(matches!(parse(&text), Err(QueryError::TooLong(_))));
    }
}
