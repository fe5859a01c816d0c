//! The order service on its own: `ORDER_ADDR` (default 127.0.0.1:8080), `ORDERS_DB`
//! (default `orders.db`; PostgreSQL at `DATABASE_URL` when set), `INVENTORY_URL` (default http://127.0.0.1:8081). Telemetry from
//! the `OTEL_*` variables.

use examples::orders::{self, AppState, InventoryClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _telemetry = traced::Telemetry::from_env()
        .service_defaults(traced::ServiceDefaults {
            name: Some("order-service".into()),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            revision: None,
        })
        .install();
    let path = std::env::var("ORDERS_DB").unwrap_or_else(|_| "orders.db".into());
    let db = examples::Db::open(std::path::Path::new(&path)).await?;
    orders::prepare(&db).await?;
    let (queue, received) = tokio::sync::mpsc::channel(64);
    tokio::spawn(orders::consume(received));
    let state = AppState {
        db,
        inventory: InventoryClient {
            http: reqwest::Client::new(),
            base_url: std::env::var("INVENTORY_URL")
                .unwrap_or_else(|_| "http://127.0.0.1:8081".into()),
        },
        queue,
    };
    let addr = std::env::var("ORDER_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(%addr, "order-service listening");
    let app = orders::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
