use reqwest::StatusCode;
use tests::{json_of, spawn_on, Backend, TestDatabase};

async fn client_count(database: &TestDatabase) -> usize {
    let app = spawn_on(database.share()).await;
    let store = app.store().await;
    store.list_clients().await.unwrap().len()
}

async fn instances_starting_together_create_one_client(backend: Backend) {
    let database = TestDatabase::create(backend).await;

    let apps = futures_util_join(&database).await;

    for app in &apps {
        json_of(app.get("/companies").await, StatusCode::OK).await;
    }
    assert_eq!(client_count(&database).await, 1);
}

async fn futures_util_join(database: &TestDatabase) -> Vec<tests::TestApp> {
    let starts: Vec<_> = (0..4)
        .map(|_| tokio::spawn(spawn_on(database.share())))
        .collect();
    let mut apps = Vec::new();
    for start in starts {
        apps.push(start.await.unwrap());
    }
    apps
}

#[tokio::test]
async fn instances_starting_together_on_sqlite_create_one_client_and_migrate_once() {
    instances_starting_together_create_one_client(Backend::Sqlite).await;
}

#[tokio::test]
async fn instances_starting_together_on_postgres_create_one_client_and_migrate_once() {
    instances_starting_together_create_one_client(Backend::Postgres).await;
}
