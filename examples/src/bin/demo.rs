//! The shortest path from zero to a trace: a few annotated functions, one failing, exported
//! through the OpenTelemetry SDK and printed as a tree. Nothing to install, nothing to run
//! beside it: `cargo run -p examples --bin demo`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::trace::{Status, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use traced::traced;
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Debug)]
struct OutOfStock {
    product_id: u64,
}

impl std::fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "product {} is out of stock", self.product_id)
    }
}

impl std::error::Error for OutOfStock {}

#[traced(kind = client, fields(product_id = product_id as i64))]
async fn check_stock(product_id: u64) -> Result<u32, OutOfStock> {
    tokio::time::sleep(Duration::from_millis(3)).await;
    if product_id == 13 {
        return Err(OutOfStock { product_id });
    }
    Ok(5)
}

#[traced(fields(customer_id = customer_id, item_count = items.len() as i64, order_id))]
async fn place_order(customer_id: &str, items: &[u64]) -> Result<u64, OutOfStock> {
    for &product_id in items {
        check_stock(product_id).await?;
    }
    let order_id = 1001;
    traced::record!(order_id = order_id as i64);
    tracing::info!(order_id, "order saved");
    Ok(order_id)
}

/// Keeps every exported span, to print them at the end.
#[derive(Debug, Clone, Default)]
struct Collect(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Collect {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().expect("not poisoned").extend(batch);
        Ok(())
    }
}

fn print_tree(spans: &[SpanData], parent: opentelemetry::trace::SpanId, depth: usize) {
    let mut children: Vec<_> = spans
        .iter()
        .filter(|s| s.parent_span_id == parent)
        .collect();
    children.sort_by_key(|s| s.start_time);
    for span in children {
        let micros = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default()
            .as_micros();
        let status = match &span.status {
            Status::Error { description } => format!("  ERROR: {description}"),
            _ => String::new(),
        };
        println!(
            "{:indent$}{} [{:?}] {micros} µs{status}",
            "",
            span.name,
            span.span_kind,
            indent = depth * 2
        );
        for kv in &span.attributes {
            println!(
                "{:indent$}  · {} = {}",
                "",
                kv.key,
                kv.value,
                indent = depth * 2
            );
        }
        for event in &span.events.events {
            println!(
                "{:indent$}  ! event {:?}",
                "",
                event.name,
                indent = depth * 2
            );
        }
        print_tree(spans, span.span_context.span_id(), depth + 1);
    }
}

#[tokio::main]
async fn main() {
    let collected = Collect::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(collected.clone())
        .build();
    let subscriber =
        tracing_subscriber::registry().with(traced::TracedLayer::new(provider.tracer("demo")));
    tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");

    let good = place_order("c-42", &[1, 2]).await;
    let bad = place_order("c-43", &[1, 13]).await;
    println!(
        "good order: {good:?}\nbad order:  {:?}\n",
        bad.map_err(|e| e.to_string())
    );

    provider.force_flush().expect("flushed");
    let spans = collected.0.lock().expect("not poisoned").clone();
    let mut roots: Vec<_> = spans
        .iter()
        .filter(|s| s.parent_span_id == opentelemetry::trace::SpanId::INVALID)
        .collect();
    roots.sort_by_key(|s| s.start_time);
    for root in roots {
        println!("trace {}", root.span_context.trace_id());
        let same_trace: Vec<SpanData> = spans
            .iter()
            .filter(|s| s.span_context.trace_id() == root.span_context.trace_id())
            .cloned()
            .collect();
        print_tree(&same_trace, opentelemetry::trace::SpanId::INVALID, 1);
        println!();
    }
    provider.shutdown().expect("shut down");
}
