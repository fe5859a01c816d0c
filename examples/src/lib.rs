//! The order and inventory services of the demo: axum handlers, a reqwest client and sqlx
//! queries, traced with one attribute each, and an in-process queue whose consumer
//! continues the order's trace.

pub mod inventory;
pub mod orders;

/// A service's database: SQLite (the default, embedded) or PostgreSQL (`DATABASE_URL`).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Db {
    /// PostgreSQL at `DATABASE_URL` when it is set, else SQLite at `sqlite_path`.
    pub async fn open(sqlite_path: &Path) -> Result<Self, sqlx::Error> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => Ok(Db::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect(&url)
                    .await?,
            )),
            _ => Ok(Db::Sqlite(open_sqlite(sqlite_path).await?)),
        }
    }
}

use std::path::Path;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// Opens (creating it if needed) the SQLite database at `path`.
pub async fn open_sqlite(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
}

/// Serves `app` on a free loopback port; returns the address.
pub async fn serve(app: axum::Router) -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "server stopped");
        }
    });
    Ok(addr)
}
