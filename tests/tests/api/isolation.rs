use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{error_of, json_of, on_both_stores};

on_both_stores! {
    async fn another_clients_company_is_invisible_and_unchangeable(app: TestApp) {
        let mine = app.create_company(json!({"name": "Mine", "tags": {"t": "1"}})).await;
        let other = app.with_key(&app.other_client_key().await);
        let path = format!("/companies/{}", mine["id"].as_str().unwrap());

        let listed = json_of(other.get("/companies").await, StatusCode::OK).await;
        let filtered = json_of(other.get("/companies?tags=t%3D1").await, StatusCode::OK).await;

        assert_eq!((listed["totalResults"].clone(), filtered["totalResults"].clone()), (json!(0), json!(0)));
        error_of(other.get(&path).await, StatusCode::NOT_FOUND).await;
        error_of(other.send_json(Method::PUT, &path, &json!({"name": "Taken"})).await, StatusCode::NOT_FOUND).await;
        error_of(other.send_json(Method::PATCH, &path, &json!({"name": "Taken"})).await, StatusCode::NOT_FOUND).await;
        error_of(other.delete(&path).await, StatusCode::NOT_FOUND).await;
        assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, mine, "nothing changed");
    }

    async fn another_clients_keys_are_invisible_and_undeletable(app: TestApp) {
        let other = app.with_key(&app.other_client_key().await);
        let mine = json_of(app.get("/apiKeys").await, StatusCode::OK).await;
        let my_key_id = mine["results"][0]["id"].as_str().unwrap();

        let theirs = json_of(other.get("/apiKeys").await, StatusCode::OK).await;

        assert_eq!(theirs["results"].as_array().unwrap().len(), 1);
        assert_ne!(theirs["results"][0]["id"], mine["results"][0]["id"]);
        error_of(other.delete(&format!("/apiKeys/{my_key_id}")).await, StatusCode::NOT_FOUND).await;
        json_of(app.get("/apiKeys").await, StatusCode::OK).await;
    }
}
