//! `traced` under another name: `crate = ::telemetry` points the generated code at it.

use opentelemetry::trace::Status;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt as _;

#[telemetry::traced(crate = ::telemetry, fields(order_id), kind = client)]
fn renamed_sync(id: i64) -> Result<i64, std::io::Error> {
    telemetry::record!(order_id = id);
    Err(std::io::Error::other("boom"))
}

#[telemetry::traced(crate = ::telemetry, ret)]
async fn renamed_async(value: u32) -> u32 {
    value + 1
}

#[test]
fn generated_code_goes_through_the_renamed_crate() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(telemetry::TracedLayer::new(provider.tracer("renamed")));
    tracing::subscriber::with_default(subscriber, || {
        assert!(renamed_sync(7).is_err());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        assert_eq!(runtime.block_on(renamed_async(1)), 2);
    });
    let spans = exporter.get_finished_spans().expect("spans");
    let sync = spans
        .iter()
        .find(|s| s.name == "renamed_sync")
        .expect("sync span");
    assert_eq!(sync.span_kind, opentelemetry::trace::SpanKind::Client);
    assert_eq!(sync.status, Status::error("boom"));
    assert!(
        sync.attributes
            .iter()
            .any(|kv| kv.key.as_str() == "order_id" && kv.value == opentelemetry::Value::I64(7))
    );
    let async_span = spans
        .iter()
        .find(|s| s.name == "renamed_async")
        .expect("async span");
    assert!(
        async_span
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "traced.return_value" && kv.value.as_str() == "2")
    );
}
