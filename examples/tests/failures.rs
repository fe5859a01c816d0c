//! The order service's failure paths, in one process with the spans captured in memory:
//! an unknown customer (422, not an error of the server) and the inventory service down
//! (503: the CLIENT span says why, the SERVER span is Error).

use examples::inventory::Item;
use examples::orders::{self, AppState, InventoryClient, NewOrder};
use traced_tests::{Capture, SpanKind, SpanStatus};

async fn order_service(inventory_url: String) -> std::net::SocketAddr {
    let dir = std::env::temp_dir().join(format!("traced-failures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = examples::Db::Sqlite(examples::open_sqlite(&dir.join("orders.db")).await.unwrap());
    orders::prepare(&db).await.unwrap();
    let (queue, received) = tokio::sync::mpsc::channel(8);
    tokio::spawn(orders::consume(received));
    let state = AppState {
        db,
        inventory: InventoryClient {
            http: reqwest::Client::new(),
            base_url: inventory_url,
        },
        queue,
    };
    examples::serve(orders::router(state)).await.unwrap()
}

async fn post(addr: std::net::SocketAddr, customer: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("http://{addr}/api/orders"))
        .json(&NewOrder {
            customer_id: customer.to_owned(),
            items: vec![Item {
                product_id: 1,
                quantity: 1,
            }],
        })
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn unknown_customer_and_inventory_down() {
    let capture = Capture::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let addr = order_service(format!("http://{closed}")).await;

    assert_eq!(post(addr, "stranger").await, 422);
    let spans = capture.spans();
    let server = spans.iter().find(|s| s.kind == SpanKind::Server).unwrap();
    assert_eq!(server.i64_attr("http.response.status_code"), Some(422));
    assert_eq!(server.status, SpanStatus::Unset);
    assert_eq!(server.str_attr("customer_id"), Some("stranger"));
    assert!(
        spans.iter().all(|s| s.name != "POST /api/inventory/check"),
        "no call made"
    );

    assert_eq!(post(addr, "c-5").await, 503);
    let spans = capture.spans();
    let server = spans.iter().rfind(|s| s.kind == SpanKind::Server).unwrap();
    assert_eq!(server.i64_attr("http.response.status_code"), Some(503));
    assert_eq!(
        server.str_attr("error.type"),
        Some("examples::orders::OrderError")
    );
    assert!(matches!(server.status, SpanStatus::Error(_)));
    let client = spans
        .iter()
        .find(|s| s.kind == SpanKind::Client && s.name == "POST /api/inventory/check")
        .unwrap();
    assert_eq!(
        client.parent_span_id.as_deref(),
        Some(server.span_id.as_str())
    );
    assert_eq!(client.str_attr("error.type"), Some("connection_refused"));
    assert!(matches!(client.status, SpanStatus::Error(_)));
}
