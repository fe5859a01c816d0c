//! The whole trace on one machine, with nothing to install: starts the inventory and order
//! services on free loopback ports (SQLite files in a temporary folder), sends a handful of
//! orders, prints each trace as a waterfall, writes them as OTLP/JSON, and stops.
//!
//! `cargo run -p examples --bin demo`. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the traces
//! also go to that collector (Jaeger, Tempo, an OpenTelemetry Collector).

use std::time::Duration;

use examples::inventory::{self, Item};
use examples::orders::{self, AppState, InventoryClient, NewOrder};
use traced::ExporterKind;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("traced-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let traces = dir.join("traces.jsonl");
    let inventory_db = examples::Db::open(&dir.join("inventory.db")).await?;
    inventory::prepare(&inventory_db).await?;
    let orders_db = examples::Db::open(&dir.join("orders.db")).await?;
    orders::prepare(&orders_db).await?;
    // Telemetry from here on: the schema set-up above is not part of the story.
    let mut exporters = vec![ExporterKind::Console, ExporterKind::File];
    if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some() {
        exporters.push(ExporterKind::Otlp);
    }
    let telemetry = traced::Telemetry::from_env()
        .service_name("order-demo")
        .exporters(exporters)
        .traces_file(traces.display().to_string())
        .logs(traced::LogFormat::None)
        .install();

    let inventory_addr = examples::serve(inventory::router(inventory_db)).await?;
    let (queue, received) = tokio::sync::mpsc::channel(64);
    let consumer = tokio::spawn(orders::consume(received));
    let state = AppState {
        db: orders_db,
        inventory: InventoryClient {
            http: reqwest::Client::new(),
            base_url: format!("http://{inventory_addr}"),
        },
        queue,
    };
    let order_addr = examples::serve(orders::router(state)).await?;
    println!(
        "inventory-service on http://{inventory_addr}, order-service on http://{order_addr}\n"
    );

    let client = reqwest::Client::new();
    let item = |product_id, quantity| Item {
        product_id,
        quantity,
    };
    let scenarios = [
        ("a good order", "c-42", vec![item(1, 2), item(2, 1)], false),
        ("an unavailable item", "c-7", vec![item(3, 1)], false),
        ("a database error", "c-9", vec![item(4, 500_000)], false),
        ("x-force-trace", "c-1", vec![item(1, 1)], true),
    ];
    for (what, customer, items, force) in scenarios {
        let mut request = client
            .post(format!("http://{order_addr}/api/orders"))
            .json(&NewOrder {
                customer_id: customer.to_owned(),
                items,
            });
        if force {
            request = request.header("x-force-trace", "true");
        }
        let response = request.send().await?;
        println!("{what}: {}", response.status());
        // Let the queue's consumer finish before the next order's trace.
        tokio::time::sleep(Duration::from_millis(50)).await;
        println!();
    }
    let response = client
        .get(format!("http://{order_addr}/api/orders/1"))
        .send()
        .await?;
    println!("read back order 1: {}\n", response.status());
    tokio::time::sleep(Duration::from_millis(50)).await;

    consumer.abort();
    drop(telemetry);
    println!("OTLP/JSON traces written to {}", traces.display());
    Ok(())
}
