//! Journey status through a whole journey, driven as a browser UI does it.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::{error_of, json_of, on_both_stores, TestApp};

async fn status(app: &TestApp, company: &str) -> Value {
    json_of(
        app.get(&format!("/companies/{company}/linkStatus")).await,
        StatusCode::OK,
    )
    .await
}

/// `(category, consented, linked, satisfied, number of connections)` for each category.
fn summary(status: &Value) -> Vec<(String, bool, bool, bool, usize)> {
    status["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_owned(),
                c["consented"].as_bool().unwrap(),
                c["linked"].as_bool().unwrap(),
                c["satisfied"].as_bool().unwrap(),
                c["connections"].as_array().unwrap().len(),
            )
        })
        .collect()
}

fn row(
    category: &str,
    consented: bool,
    linked: bool,
    satisfied: bool,
    connections: usize,
) -> (String, bool, bool, bool, usize) {
    (
        category.to_owned(),
        consented,
        linked,
        satisfied,
        connections,
    )
}

/// Creates a connection of `key` and authorizes it with `material`, as the browser would.
async fn link(browser: &TestApp, company: &str, key: &str, material: Value) -> Value {
    let path = format!("/companies/{company}/connections");
    let created = json_of(
        browser.post(&path, &json!({"platformKey": key})).await,
        StatusCode::OK,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    json_of(
        browser
            .send_json(
                Method::PUT,
                &format!("{path}/{id}/authorization"),
                &material,
            )
            .await,
        StatusCode::OK,
    )
    .await
}

on_both_stores! {
    async fn the_status_follows_a_whole_journey_with_an_optional_category_skipped(app: TestApp) {
        let settings = json!({"categories": {"commerce": {"required": true}}});
        json_of(app.send_json(Method::PUT, "/linkSettings", &settings).await, StatusCode::OK).await;
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let browser = app.with_key(&app.company_token(&company).await);

        let start = status(&browser, &company).await;
        browser.consent(&company, &["accounting", "commerce"]).await;
        let consented = status(&browser, &company).await;
        let books = link(&browser, &company, "knfz", json!({"companyId": "acme-ltd", "userId": "ada", "password": "s3cret"})).await;
        let halfway = status(&browser, &company).await;
        link(&browser, &company, "ltpp", json!({"storeUrl": "https://shop.example", "consumerKey": "ck_0123456789abcdefghij", "consumerSecret": "cs_0123456789abcdefghij"})).await;
        let done = status(&browser, &company).await;

        assert_eq!((start["complete"].clone(), start["missing"].clone()), (json!(false), json!(["accounting", "commerce"])));
        assert_eq!((start["settingsVersion"].clone(), start["consentRequired"].clone(), start["companyId"].clone()), (json!(1), json!(true), json!(company)));
        assert_eq!(summary(&start), [row("accounting", false, false, false, 0), row("banking", false, false, true, 0), row("commerce", false, false, false, 0)]);
        assert_eq!(summary(&consented), [row("accounting", true, false, false, 0), row("banking", false, false, true, 0), row("commerce", true, false, false, 0)]);
        assert_eq!(halfway["missing"], json!(["commerce"]));
        assert_eq!(halfway["categories"][0]["connections"][0]["id"], books["id"]);
        assert_eq!(halfway["categories"][0]["connections"][0]["status"], "Linked");
        assert_eq!((done["complete"].clone(), done["missing"].clone()), (json!(true), json!([])));
        assert_eq!(summary(&done), [row("accounting", true, true, true, 1), row("banking", false, false, true, 0), row("commerce", true, true, true, 1)]);
        assert_eq!(done["categories"][1]["required"], false, "banking was optional and skipped");
    }

    async fn a_withdrawal_reopens_the_journey(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let consent = app.consent(&company, &["accounting"]).await;
        link(&app, &company, "gbol", json!({"accessToken": "at-1"})).await;
        assert_eq!(status(&app, &company).await["complete"], true);

        let id = consent["id"].as_str().unwrap();
        json_of(app.post(&format!("/companies/{company}/consents/{id}/withdraw"), &json!({})).await, StatusCode::OK).await;

        let after = status(&app, &company).await;
        assert_eq!((after["complete"].clone(), after["missing"].clone()), (json!(false), json!(["accounting"])));
        assert_eq!(summary(&after)[0], row("accounting", false, false, false, 1));
        assert_eq!(after["categories"][0]["connections"][0]["status"], "Deauthorized");
    }

    async fn the_status_of_an_unknown_or_other_company_is_a_404(app: TestApp) {
        let company = app.create_company(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
        let other = app.create_company(json!({"name": "Other"})).await["id"].as_str().unwrap().to_owned();
        let browser = app.with_key(&app.company_token(&company).await);

        error_of(app.get(&format!("/companies/{}/linkStatus", uuid::Uuid::new_v4())).await, StatusCode::NOT_FOUND).await;
        error_of(browser.get(&format!("/companies/{other}/linkStatus")).await, StatusCode::NOT_FOUND).await;
        error_of(app.with_key(&app.other_client_key().await).get(&format!("/companies/{company}/linkStatus")).await, StatusCode::NOT_FOUND).await;
        error_of(app.get("/companies/not-a-uuid/linkStatus").await, StatusCode::BAD_REQUEST).await;
    }
}
