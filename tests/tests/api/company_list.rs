use reqwest::StatusCode;
use serde_json::{json, Value};
use tests::{error_of, json_of, on_both_stores, TestApp};

/// Creates companies named by `names`, one after another, with the given tags.
async fn seed(app: &TestApp, companies: &[(&str, Value)]) -> Vec<Value> {
    let mut created = Vec::new();
    for (name, tags) in companies {
        created.push(
            app.create_company(json!({"name": name, "tags": tags}))
                .await,
        );
    }
    created
}

async fn names(app: &TestApp, path: &str) -> Vec<String> {
    let body = json_of(app.get(path).await, StatusCode::OK).await;
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_stores! {
    async fn an_empty_list_has_the_paging_envelope(app: TestApp) {
        let body = json_of(app.get("/companies").await, StatusCode::OK).await;

        assert_eq!(body, json!({
            "results": [], "pageNumber": 1, "pageSize": 100, "totalResults": 0,
            "_links": {"self": {"href": "/companies"}, "current": {"href": "/companies?page=1&pageSize=100"}}
        }));
    }

    async fn pages_link_to_their_neighbours_and_keep_the_filters(app: TestApp) {
        seed(&app, &[("A", json!({})), ("B", json!({})), ("C", json!({})), ("D", json!({})), ("E", json!({}))]).await;

        let body = json_of(app.get("/companies?page=2&pageSize=2&orderBy=name").await, StatusCode::OK).await;

        assert_eq!(body["totalResults"], 5);
        assert_eq!(body["pageNumber"], 2);
        assert_eq!(body["results"].as_array().unwrap().len(), 2);
        assert_eq!(body["results"][0]["name"], "C");
        assert_eq!(body["_links"]["current"]["href"], "/companies?page=2&pageSize=2&orderBy=name");
        assert_eq!(body["_links"]["next"]["href"], "/companies?page=3&pageSize=2&orderBy=name");
        assert_eq!(body["_links"]["previous"]["href"], "/companies?page=1&pageSize=2&orderBy=name");
        let last = json_of(app.get("/companies?page=3&pageSize=2").await, StatusCode::OK).await;
        assert!(last["_links"].get("next").is_none());
        let beyond = json_of(app.get("/companies?page=9&pageSize=2").await, StatusCode::OK).await;
        assert_eq!((beyond["results"].clone(), beyond["totalResults"].clone()), (json!([]), json!(5)));
    }

    async fn the_default_order_is_oldest_first_and_order_by_can_reverse_it(app: TestApp) {
        seed(&app, &[("b", json!({})), ("c", json!({})), ("a", json!({}))]).await;

        assert_eq!(names(&app, "/companies").await, ["b", "c", "a"]);
        assert_eq!(names(&app, "/companies?orderBy=-created").await, ["a", "c", "b"]);
        assert_eq!(names(&app, "/companies?orderBy=name").await, ["a", "b", "c"]);
        assert_eq!(names(&app, "/companies?orderBy=-name").await, ["c", "b", "a"]);
    }

    async fn query_filters_on_company_properties(app: TestApp) {
        let created = seed(&app, &[("Acme Ltd", json!({})), ("Acme Group", json!({})), ("Bolt", json!({}))]).await;
        app.send_json(reqwest::Method::PATCH, &format!("/companies/{}", created[2]["id"].as_str().unwrap()), &json!({"description": "x"})).await;
        let bolt_id = created[2]["id"].as_str().unwrap();

        assert_eq!(names(&app, &format!("/companies?query={}", encode("name=Acme Ltd"))).await, ["Acme Ltd"]);
        assert_eq!(names(&app, &format!("/companies?query={}", encode("name~ACME"))).await, ["Acme Ltd", "Acme Group"]);
        assert_eq!(names(&app, &format!("/companies?query={}", encode("name!=Bolt"))).await, ["Acme Ltd", "Acme Group"]);
        assert_eq!(names(&app, &format!("/companies?query={}", encode(&format!("id={bolt_id}")))).await, ["Bolt"]);
        assert_eq!(names(&app, &format!("/companies?query={}", encode("description!=x"))).await, ["Acme Ltd", "Acme Group"]);
        assert_eq!(names(&app, &format!("/companies?query={}", encode("{name=Bolt || name~group} && created>=2020-01-01"))).await, ["Acme Group", "Bolt"]);
        assert!(names(&app, &format!("/companies?query={}", encode("created<2020-01-01T00:00:00Z"))).await.is_empty());
    }

    async fn tags_filter_with_equals_not_equals_and_contains(app: TestApp) {
        seed(&app, &[
            ("One", json!({"region": "uk", "team": "invoice-finance"})),
            ("Two", json!({"region": "us", "team": "invoice-finance"})),
            ("Three", json!({"region": "uk"})),
        ]).await;

        assert_eq!(names(&app, &format!("/companies?tags={}", encode("region=uk"))).await, ["One", "Three"]);
        assert_eq!(names(&app, &format!("/companies?tags={}", encode("region != uk"))).await, ["Two"]);
        assert_eq!(names(&app, &format!("/companies?tags={}", encode("team!=invoice-finance"))).await, ["Three"]);
        assert_eq!(names(&app, &format!("/companies?tags={}", encode("region=uk && team=invoice-finance"))).await, ["One"]);
        assert_eq!(names(&app, &format!("/companies?tags={}", encode("team~INVOICE"))).await, ["One", "Two"]);
        assert_eq!(names(&app, &format!("/companies?query={}", encode("tags.region=us"))).await, ["Two"]);
        assert_eq!(names(&app, &format!("/companies?query={}&tags={}", encode("name~o"), encode("region=uk"))).await, ["One"]);
    }

    async fn filter_values_are_data_never_sql(app: TestApp) {
        seed(&app, &[("Acme", json!({"k": "50%_off"})), ("Bolt", json!({"k": "500 off"}))]).await;

        let injected = names(&app, &format!("/companies?query={}", encode("name=\"x' OR '1'='1\""))).await;
        let literal = names(&app, &format!("/companies?tags={}", encode("k~%_"))).await;
        let count = json_of(app.get("/companies").await, StatusCode::OK).await["totalResults"].clone();

        assert!(injected.is_empty());
        assert_eq!(literal, ["Acme"], "% and _ match themselves, not any characters");
        assert_eq!(count, 2);
    }

    async fn malformed_queries_are_400_with_the_parsing_message(app: TestApp) {
        for (parameter, text) in [("query", "name"), ("query", "name=a &&"), ("query", "{name=a"), ("query", "colour=red"),
                                  ("query", "created>yesterday"), ("query", "name>a"), ("tags", "region>uk"), ("query", "id=42")] {
            let response = app.get(&format!("/companies?{parameter}={}", encode(text))).await;

            let body = error_of(response, StatusCode::BAD_REQUEST).await;
            assert!(body["error"].as_str().unwrap().starts_with("Error parsing query - "), "{text}: {body}");
            assert_eq!(body["canBeRetried"], "No");
        }
    }

    async fn an_unknown_property_is_named_in_the_error(app: TestApp) {
        let body = error_of(app.get("/companies?query=colour%3Dred").await, StatusCode::BAD_REQUEST).await;

        assert_eq!(body["error"], "Error parsing query - Could not resolve property colour on Company");
    }

    async fn queries_of_2048_characters_or_more_are_refused(app: TestApp) {
        let longest_accepted = format!("name={}", "a".repeat(2042));

        let refused = app.get(&format!("/companies?query={longest_accepted}a")).await;
        let accepted = app.get(&format!("/companies?query={longest_accepted}")).await;

        error_of(refused, StatusCode::BAD_REQUEST).await;
        json_of(accepted, StatusCode::OK).await;
    }

    async fn bad_paging_and_ordering_are_400(app: TestApp) {
        for path in ["/companies?page=0", "/companies?pageSize=0", "/companies?pageSize=5001", "/companies?page=-1",
                     "/companies?page=x", "/companies?pageSize=1.5", "/companies?orderBy=colour", "/companies?orderBy=tags.region",
                     "/companies?orderBy=-"] {
            error_of(app.get(path).await, StatusCode::BAD_REQUEST).await;
        }
        json_of(app.get("/companies?pageSize=5000").await, StatusCode::OK).await;
    }
}

/// `GET /companies` with `Prefer: count=estimated`: the total, and whether it is an estimate.
async fn estimated(app: &TestApp, query: &str) -> (u64, bool) {
    let answer = app
        .request(
            reqwest::Method::GET,
            &format!("/companies?pageSize=1{query}"),
        )
        .header("prefer", "return=minimal, count=estimated")
        .send()
        .await
        .unwrap();
    let applied = answer
        .headers()
        .get("preference-applied")
        .is_some_and(|v| v == "count=estimated");
    let body = json_of(answer, StatusCode::OK).await;
    (body["totalResults"].as_u64().unwrap(), applied)
}

on_both_stores! {
    async fn an_estimated_count_is_exact_while_the_set_is_small(app: TestApp) {
        seed(&app, &[("Acme", json!({"region": "uk"})), ("Bolt", json!({}))]).await;

        assert_eq!(estimated(&app, "").await, (2, false));
        assert_eq!(estimated(&app, "&tags=region%3Duk").await, (1, false));
    }
}

mod a_large_total_may_be_the_planners_estimate {
    use super::*;

    #[tokio::test]
    async fn postgres() {
        let app = tests::spawn(tests::Backend::Postgres).await;
        app.execute_sql(
            "INSERT INTO companies (id, client_id, name, description, tags, created_at) \
             SELECT gen_random_uuid(), (SELECT id FROM clients LIMIT 1), 'Company ' || g, NULL, \
                    jsonb_build_object('region', CASE WHEN g % 10 = 0 THEN 'uk' ELSE 'us' END), now() \
             FROM generate_series(1, 30000) g",
        )
        .await;
        app.execute_sql("ANALYZE companies").await;

        let (total, applied) = estimated(&app, "").await;
        let exact = json_of(app.get("/companies?pageSize=1").await, StatusCode::OK).await;
        let (uk, uk_applied) = estimated(&app, "&tags=region%3Duk").await;

        assert!(applied, "an estimate is said to be one");
        assert!((25_000..=35_000).contains(&total), "{total}");
        assert_eq!(
            exact["totalResults"], 30_000,
            "without the preference, every company is counted"
        );
        assert_eq!((uk, uk_applied), (3_000, false), "small sets are counted");
    }
}
