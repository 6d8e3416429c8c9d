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
    // Each migration was applied by one of them, once and whole: had two
    // applied the same one, the second would have failed its start.
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let shipped = std::fs::read_dir(format!(
        "{}/../migrations/{folder}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .filter(|entry| {
        entry
            .as_ref()
            .unwrap()
            .path()
            .extension()
            .is_some_and(|e| e == "sql")
    })
    .count();
    let applied = apps[0]
        .count("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .await;
    let versions = apps[0]
        .count("SELECT COUNT(DISTINCT version) FROM _sqlx_migrations")
        .await;
    assert_eq!((applied, versions), (shipped as i64, shipped as i64));
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
