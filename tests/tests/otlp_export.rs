//! `#[traced]` spans exported over OTLP/gRPC to a real receiver on loopback: what crosses
//! the wire, not only what the SDK holds in memory.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use traced::traced;
use traced_tests::{AttrValue, OtlpReceiver, SpanKind, SpanStatus, children_of, find};
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Debug)]
struct Unavailable;

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("inventory unavailable")
    }
}

impl std::error::Error for Unavailable {}

#[traced(kind = client, fields(product_id = product_id))]
async fn reserve(product_id: i64) -> Result<(), Unavailable> {
    tokio::task::yield_now().await;
    if product_id == 13 {
        return Err(Unavailable);
    }
    Ok(())
}

#[traced(kind = server, name = "POST /api/orders", fields(item_count = items.len() as i64))]
async fn handle_order(items: &[i64]) -> Result<(), Unavailable> {
    for &item in items {
        reserve(item).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traced_spans_cross_the_wire_with_their_types_and_parentage() {
    let receiver = OtlpReceiver::start().await.expect("receiver");
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(receiver.endpoint())
        .with_timeout(Duration::from_secs(5))
        .build()
        .expect("exporter");
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let subscriber =
        tracing_subscriber::registry().with(traced::TracedLayer::new(provider.tracer("otlp-test")));
    {
        let _default = tracing::subscriber::set_default(subscriber);
        assert!(handle_order(&[1, 2]).await.is_ok());
        assert!(handle_order(&[3, 13]).await.is_err());
    }
    // The batch processor's flush blocks its caller until the export, which needs this
    // runtime's workers: flush from a blocking thread.
    let flushed = provider.clone();
    tokio::task::spawn_blocking(move || flushed.force_flush())
        .await
        .expect("joined")
        .expect("flushed");

    let spans = receiver.wait_for_spans(6, Duration::from_secs(10)).await;
    assert_eq!(spans.len(), 6, "{spans:#?}");
    let servers: Vec<_> = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Server)
        .collect();
    assert_eq!(servers.len(), 2);
    for server in &servers {
        assert_eq!(server.name, "POST /api/orders");
        assert_eq!(server.attr("item_count"), Some(&AttrValue::I64(2)));
        assert_eq!(server.scope_name, "otlp-test");
        let children = children_of(&spans, server);
        assert_eq!(children.len(), 2);
        for child in children {
            assert_eq!(child.kind, SpanKind::Client);
            assert_eq!(child.trace_id, server.trace_id);
            assert!(matches!(child.attr("product_id"), Some(AttrValue::I64(_))));
        }
    }
    assert_ne!(servers[0].trace_id, servers[1].trace_id);
    let failed_client = spans
        .iter()
        .find(|s| s.attr("product_id") == Some(&AttrValue::I64(13)))
        .expect("the failed reservation");
    assert_eq!(
        failed_client.status,
        SpanStatus::Error("inventory unavailable".into())
    );
    assert_eq!(
        failed_client.str_attr("error.type"),
        Some("otlp_export::Unavailable")
    );
    let exception = failed_client.event("exception").expect("exception event");
    assert_eq!(
        exception.str_attr("exception.message"),
        Some("inventory unavailable")
    );
    let failed_server = servers
        .iter()
        .find(|s| s.status != SpanStatus::Unset)
        .expect("the failed order");
    assert_eq!(
        failed_server.str_attr("error.type"),
        Some("otlp_export::Unavailable")
    );
    let _ = find(&spans, "reserve");

    let provider_for_shutdown = provider;
    tokio::task::spawn_blocking(move || provider_for_shutdown.shutdown())
        .await
        .expect("joined")
        .expect("shut down");
}
