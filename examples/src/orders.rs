//! The order service: `POST /api/orders` checks availability with the inventory service,
//! saves the order, publishes "order created" on an in-process queue and returns the
//! order; `GET /api/orders/{id}` reads it back.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, SqlitePool};
use tokio::sync::mpsc;

use crate::Db;
use crate::inventory::{Availability, Item};

/// An order as the client sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewOrder {
    pub customer_id: String,
    pub items: Vec<Item>,
}

/// A saved order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub id: i64,
    pub customer_id: String,
    pub total_cents: i64,
}

/// Why an order failed, and the status it answers with.
#[derive(Debug)]
pub enum OrderError {
    /// 422: customers are `c-...`.
    UnknownCustomer(String),
    /// 409: some items are short.
    Unavailable(Vec<i64>),
    /// 503: the inventory service cannot be reached or failed.
    InventoryDown(reqwest::Error),
    /// 500.
    Database(sqlx::Error),
    /// 404.
    NotFound(i64),
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::UnknownCustomer(id) => write!(f, "unknown customer {id}"),
            OrderError::Unavailable(ids) => write!(f, "products {ids:?} are not available"),
            OrderError::InventoryDown(_) => f.write_str("the inventory service is unavailable"),
            OrderError::Database(_) => f.write_str("the order could not be saved"),
            OrderError::NotFound(id) => write!(f, "no order {id}"),
        }
    }
}

impl std::error::Error for OrderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OrderError::InventoryDown(error) => Some(error),
            OrderError::Database(error) => Some(error),
            _ => None,
        }
    }
}

impl IntoResponse for OrderError {
    fn into_response(self) -> Response {
        let status = match &self {
            OrderError::UnknownCustomer(_) => StatusCode::UNPROCESSABLE_ENTITY,
            OrderError::Unavailable(_) => StatusCode::CONFLICT,
            OrderError::InventoryDown(_) => StatusCode::SERVICE_UNAVAILABLE,
            OrderError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR,
            OrderError::NotFound(_) => StatusCode::NOT_FOUND,
        };
        (status, self.to_string()).into_response()
    }
}

/// The client of the inventory service.
#[derive(Debug, Clone)]
pub struct InventoryClient {
    pub http: reqwest::Client,
    pub base_url: String,
}

impl InventoryClient {
    /// Asks the inventory service whether `items` are available.
    #[traced::traced_client(template = "/api/inventory/check", fields(item_count = items.len()))]
    pub async fn check_availability(&self, items: &[Item]) -> Result<Availability, reqwest::Error> {
        self.http
            .post(format!("{}/api/inventory/check", self.base_url))
            .json(items)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
}

/// "Order created", with the context of the span that sent it.
#[derive(Debug)]
pub struct OrderCreated {
    pub order: Order,
    pub context: opentelemetry::Context,
}

/// The order service's state.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub inventory: InventoryClient,
    pub queue: mpsc::Sender<OrderCreated>,
}

/// Creates the schema.
pub async fn prepare(db: &Db) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(pool) => create_orders_table(pool).await,
        Db::Postgres(pool) => pg_create_orders_table(pool).await,
    }
}

#[traced::traced_query(
    "CREATE TABLE IF NOT EXISTS orders (id BIGSERIAL PRIMARY KEY, customer_id TEXT NOT NULL, total_cents BIGINT NOT NULL CHECK (total_cents < 1000000))"
)]
async fn pg_create_orders_table(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TABLE IF NOT EXISTS orders (id BIGSERIAL PRIMARY KEY, customer_id TEXT NOT NULL, total_cents BIGINT NOT NULL CHECK (total_cents < 1000000))")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(
    "INSERT INTO orders (customer_id, total_cents) VALUES ($1, $2) RETURNING id"
)]
async fn pg_save_order(
    pool: &PgPool,
    customer_id: &str,
    total_cents: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO orders (customer_id, total_cents) VALUES ($1, $2) RETURNING id")
        .bind(customer_id)
        .bind(total_cents)
        .fetch_one(pool)
        .await
}

#[traced::traced_query("SELECT id, customer_id, total_cents FROM orders WHERE id = $1")]
async fn pg_load_order(pool: &PgPool, id: i64) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT id, customer_id, total_cents FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

#[traced::traced_query(
    "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL, total_cents INTEGER NOT NULL CHECK (total_cents < 1000000))"
)]
async fn create_orders_table(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL, total_cents INTEGER NOT NULL CHECK (total_cents < 1000000))")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query("INSERT INTO orders (customer_id, total_cents) VALUES (?, ?) RETURNING id")]
async fn save_order(
    pool: &SqlitePool,
    customer_id: &str,
    total_cents: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO orders (customer_id, total_cents) VALUES (?, ?) RETURNING id")
        .bind(customer_id)
        .bind(total_cents)
        .fetch_one(pool)
        .await
}

#[traced::traced_query("SELECT id, customer_id, total_cents FROM orders WHERE id = ?")]
async fn load_order(pool: &SqlitePool, id: i64) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT id, customer_id, total_cents FROM orders WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Puts "order created" on the queue, with this span's context for the consumer.
#[traced::traced(
    kind = producer,
    name = "send orders",
    fields(
        messaging.operation.type = "send",
        messaging.operation.name = "send",
        messaging.destination.name = "orders",
        order_id = order.id
    )
)]
async fn publish(queue: &mpsc::Sender<OrderCreated>, order: Order) {
    let context = traced::current_context();
    if queue.send(OrderCreated { order, context }).await.is_err() {
        tracing::warn!("the order queue is closed");
    }
}

/// `POST /api/orders`.
#[traced::traced_handler(fields(
    customer_id = %new.customer_id,
    item_count = new.items.len(),
    order_id,
    total_cents
))]
pub async fn create_order(
    State(state): State<AppState>,
    Json(new): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), OrderError> {
    if !new.customer_id.starts_with("c-") {
        return Err(OrderError::UnknownCustomer(new.customer_id));
    }
    let availability = state
        .inventory
        .check_availability(&new.items)
        .await
        .map_err(OrderError::InventoryDown)?;
    if !availability.available {
        return Err(OrderError::Unavailable(availability.unavailable));
    }
    traced::record!(total_cents = availability.total_cents);
    let saved = match &state.db {
        Db::Sqlite(pool) => save_order(pool, &new.customer_id, availability.total_cents).await,
        Db::Postgres(pool) => pg_save_order(pool, &new.customer_id, availability.total_cents).await,
    };
    let id = saved.map_err(OrderError::Database)?;
    traced::record!(order_id = id);
    let order = Order {
        id,
        customer_id: new.customer_id,
        total_cents: availability.total_cents,
    };
    publish(&state.queue, order.clone()).await;
    Ok((StatusCode::CREATED, Json(order)))
}

/// `GET /api/orders/{id}`.
#[traced::traced_handler(fields(order_id = id))]
pub async fn get_order(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Order>, OrderError> {
    let loaded = match &state.db {
        Db::Sqlite(pool) => load_order(pool, id).await,
        Db::Postgres(pool) => pg_load_order(pool, id).await,
    };
    match loaded.map_err(OrderError::Database)? {
        Some((id, customer_id, total_cents)) => Ok(Json(Order {
            id,
            customer_id,
            total_cents,
        })),
        None => Err(OrderError::NotFound(id)),
    }
}

/// Handles one "order created": a CONSUMER span, child of the span that sent it.
#[traced::traced(
    kind = consumer,
    name = "process orders",
    parent = message.context.clone(),
    fields(
        messaging.operation.type = "process",
        messaging.operation.name = "process",
        messaging.destination.name = "orders",
        order_id = message.order.id
    )
)]
async fn process(message: &OrderCreated) {
    tracing::info!(order_id = message.order.id, "confirmation sent");
}

/// Consumes the queue until every sender is gone.
pub async fn consume(mut queue: mpsc::Receiver<OrderCreated>) {
    while let Some(message) = queue.recv().await {
        process(&message).await;
    }
}

/// The order service's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/orders", post(create_order))
        .route("/api/orders/{id}", get(get_order))
        .layer(traced::http::axum::FallbackSpanLayer::new())
        .with_state(state)
}
