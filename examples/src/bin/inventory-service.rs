//! The inventory service on its own: `INVENTORY_ADDR` (default 127.0.0.1:8081),
//! `INVENTORY_DB` (default `inventory.db`; PostgreSQL at `DATABASE_URL` when set). Telemetry from the `OTEL_*` variables.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _telemetry = traced::Telemetry::from_env()
        .service_defaults(traced::ServiceDefaults {
            name: Some("inventory-service".into()),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            revision: None,
        })
        .install();
    let path = std::env::var("INVENTORY_DB").unwrap_or_else(|_| "inventory.db".into());
    let db = examples::Db::open(std::path::Path::new(&path)).await?;
    examples::inventory::prepare(&db).await?;
    let addr = std::env::var("INVENTORY_ADDR").unwrap_or_else(|_| "127.0.0.1:8081".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(%addr, "inventory-service listening");
    let app = examples::inventory::router(db)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
