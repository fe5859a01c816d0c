//! The inventory service: `POST /api/inventory/check` answers availability from its own
//! database.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, SqlitePool};

use crate::Db;

/// One line of an order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub product_id: i64,
    pub quantity: i64,
}

/// What the inventory says of a list of items.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Availability {
    pub available: bool,
    /// The products that are short.
    pub unavailable: Vec<i64>,
    /// Total price of the items, in cents.
    pub total_cents: i64,
}

/// Creates the schema and the stock the demo sells.
pub async fn prepare(db: &Db) -> Result<(), sqlx::Error> {
    let stock = [
        (1, 100, 1_250),
        (2, 5, 4_000),
        (3, 0, 999),
        (4, 1_000_000, 10),
    ];
    match db {
        Db::Sqlite(pool) => {
            create_stock_table(pool).await?;
            for (id, available, price) in stock {
                upsert_stock(pool, id, available, price).await?;
            }
        }
        Db::Postgres(pool) => {
            pg_create_stock_table(pool).await?;
            for (id, available, price) in stock {
                pg_upsert_stock(pool, id, available, price).await?;
            }
        }
    }
    Ok(())
}

#[traced::traced_query(
    "CREATE TABLE IF NOT EXISTS stock (product_id BIGINT PRIMARY KEY, available BIGINT NOT NULL, price_cents BIGINT NOT NULL)"
)]
async fn pg_create_stock_table(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TABLE IF NOT EXISTS stock (product_id BIGINT PRIMARY KEY, available BIGINT NOT NULL, price_cents BIGINT NOT NULL)")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(
    "INSERT INTO stock (product_id, available, price_cents) VALUES ($1, $2, $3) ON CONFLICT (product_id) DO UPDATE SET available = excluded.available, price_cents = excluded.price_cents"
)]
async fn pg_upsert_stock(
    pool: &PgPool,
    id: i64,
    stock: i64,
    price: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO stock (product_id, available, price_cents) VALUES ($1, $2, $3) ON CONFLICT (product_id) DO UPDATE SET available = excluded.available, price_cents = excluded.price_cents")
        .bind(id)
        .bind(stock)
        .bind(price)
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(
    "SELECT available, price_cents FROM stock WHERE product_id = $1",
    fields(product_id = product_id)
)]
async fn pg_stock_of(pool: &PgPool, product_id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT available, price_cents FROM stock WHERE product_id = $1")
        .bind(product_id)
        .fetch_optional(pool)
        .await
}

#[traced::traced_query(
    "CREATE TABLE IF NOT EXISTS stock (product_id INTEGER PRIMARY KEY, available INTEGER NOT NULL, price_cents INTEGER NOT NULL)"
)]
async fn create_stock_table(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TABLE IF NOT EXISTS stock (product_id INTEGER PRIMARY KEY, available INTEGER NOT NULL, price_cents INTEGER NOT NULL)")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(
    "INSERT INTO stock (product_id, available, price_cents) VALUES (?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET available = excluded.available, price_cents = excluded.price_cents"
)]
async fn upsert_stock(
    pool: &SqlitePool,
    id: i64,
    stock: i64,
    price: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO stock (product_id, available, price_cents) VALUES (?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET available = excluded.available, price_cents = excluded.price_cents")
        .bind(id)
        .bind(stock)
        .bind(price)
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(
    "SELECT available, price_cents FROM stock WHERE product_id = ?",
    fields(product_id = product_id)
)]
async fn stock_of(pool: &SqlitePool, product_id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT available, price_cents FROM stock WHERE product_id = ?")
        .bind(product_id)
        .fetch_optional(pool)
        .await
}

/// `POST /api/inventory/check`.
#[traced::traced_handler(fields(item_count = items.len()))]
pub async fn check(
    State(db): State<Db>,
    Json(items): Json<Vec<Item>>,
) -> Result<Json<Availability>, (axum::http::StatusCode, String)> {
    let mut availability = Availability {
        available: true,
        unavailable: Vec::new(),
        total_cents: 0,
    };
    for item in &items {
        let stock = match &db {
            Db::Sqlite(pool) => stock_of(pool, item.product_id).await,
            Db::Postgres(pool) => pg_stock_of(pool, item.product_id).await,
        };
        let stock = stock.map_err(|error| {
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                error.to_string(),
            )
        })?;
        match stock {
            Some((available, price)) if available >= item.quantity => {
                availability.total_cents += price * item.quantity;
            }
            _ => {
                availability.available = false;
                availability.unavailable.push(item.product_id);
            }
        }
    }
    Ok(Json(availability))
}

/// The inventory service's routes.
pub fn router(db: Db) -> Router {
    Router::new()
        .route("/api/inventory/check", post(check))
        .layer(traced::http::axum::FallbackSpanLayer::new())
        .with_state(db)
}
