//! A scratch PostgreSQL database for a benchmark's run on that engine.

/// Creates a database with a fresh name on the server `BENCH_POSTGRES_URL` names
/// (`postgres://user@host:port/postgres`) and returns its URL.
pub async fn scratch_database(server: &str) -> String {
    let name = format!("bench_{}", uuid::Uuid::now_v7().simple());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(server).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    format!("{}/{name}", server.rsplit_once('/').unwrap().0)
}
