//! Proves `OtlpReceiver` is a working OTLP/gRPC endpoint by pointing the real
//! `opentelemetry-otlp` tonic exporter at it, and that the wire and in-memory
//! conversions agree.

use std::time::Duration;

use opentelemetry::trace::{
    Span as _, SpanKind as OtelKind, Status, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Array, Context, KeyValue, StringValue, Value};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced_tests::{
    AttrValue, ExportedSpan, OtlpReceiver, SpanKind, SpanStatus, children_of, find,
};

const WAIT: Duration = Duration::from_secs(5);

/// The tonic exporter's `Channel` spawns its worker with `tokio::spawn` when
/// built, so it must be created inside the test's runtime.
fn otlp_exporter(receiver: &OtlpReceiver) -> opentelemetry_otlp::SpanExporter {
    opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(receiver.endpoint())
        .with_timeout(WAIT)
        .build()
        .expect("OTLP exporter builds")
}

/// A parent with one attribute of every API type and a failing child with an
/// event, ended child first as real code would.
fn record_parent_and_child(provider: &SdkTracerProvider) {
    let tracer = provider.tracer("otlp-receiver-test");
    let parent = tracer
        .span_builder("parent")
        .with_kind(OtelKind::Server)
        .with_attributes([
            KeyValue::new("http.route", "/users/{id}"),
            KeyValue::new("cache.enabled", true),
            KeyValue::new("http.status_code", 503_i64),
            KeyValue::new("load", 0.75_f64),
            KeyValue::new(
                "retry.delays_ms",
                Value::Array(Array::from(vec![10_i64, 20, 40])),
            ),
            KeyValue::new(
                "tags",
                Value::Array(Array::String(vec![
                    StringValue::from("a"),
                    StringValue::from("b"),
                ])),
            ),
        ])
        .start(&tracer);
    let cx = Context::current_with_span(parent);

    let mut child = tracer
        .span_builder("child")
        .with_kind(OtelKind::Client)
        .with_attributes([KeyValue::new("db.system", "postgresql")])
        .start_with_context(&tracer, &cx);
    child.add_event(
        "retrying",
        vec![
            KeyValue::new("reason", "timeout"),
            KeyValue::new("attempt", 2_i64),
        ],
    );
    child.set_status(Status::error("backend unavailable"));
    child.end();
    cx.span().end();
}

/// Blocking SDK calls run off the runtime's threads: the batch processor's
/// `force_flush`/`shutdown` wait for an export whose gRPC call needs the
/// runtime to make progress. Called directly on a current-thread runtime,
/// `force_flush` just times out after its default 5 s.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("blocking SDK call panicked")
}

fn assert_parent_and_child(spans: &[ExportedSpan]) {
    assert_eq!(spans.len(), 2, "spans: {spans:#?}");
    let parent = find(spans, "parent");
    let child = find(spans, "child");

    assert_eq!(parent.kind, SpanKind::Server);
    assert_eq!(child.kind, SpanKind::Client);
    assert_eq!(parent.parent_span_id, None);
    assert_eq!(
        child.parent_span_id.as_deref(),
        Some(parent.span_id.as_str())
    );
    assert_eq!(child.trace_id, parent.trace_id);
    assert_eq!(parent.trace_id.len(), 32);
    assert_eq!(parent.span_id.len(), 16);
    assert!(
        parent
            .trace_id
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "trace id not lowercase hex: {}",
        parent.trace_id
    );
    assert_eq!(children_of(spans, parent), vec![child]);
    assert!(children_of(spans, child).is_empty());

    assert_eq!(parent.str_attr("http.route"), Some("/users/{id}"));
    assert_eq!(parent.bool_attr("cache.enabled"), Some(true));
    assert_eq!(parent.attr("http.status_code"), Some(&AttrValue::I64(503)));
    assert_eq!(parent.attr("load"), Some(&AttrValue::F64(0.75)));
    assert_eq!(
        parent.attr("retry.delays_ms"),
        Some(&AttrValue::Array(vec![
            AttrValue::I64(10),
            AttrValue::I64(20),
            AttrValue::I64(40),
        ]))
    );
    assert_eq!(
        parent.attr("tags"),
        Some(&AttrValue::Array(vec![
            AttrValue::Str("a".into()),
            AttrValue::Str("b".into()),
        ]))
    );
    // Recording order survives both paths.
    let keys: Vec<&str> = parent.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "http.route",
            "cache.enabled",
            "http.status_code",
            "load",
            "retry.delays_ms",
            "tags"
        ]
    );

    assert_eq!(parent.status, SpanStatus::Unset);
    assert_eq!(
        child.status,
        SpanStatus::Error("backend unavailable".into())
    );
    let event = child.event("retrying").expect("child has the event");
    assert_eq!(event.str_attr("reason"), Some("timeout"));
    assert_eq!(event.attr("attempt"), Some(&AttrValue::I64(2)));

    for span in [parent, child] {
        assert_eq!(span.scope_name, "otlp-receiver-test");
        assert!(span.start_unix_nanos > 0);
        assert!(span.end_unix_nanos >= span.start_unix_nanos);
    }
}

// The SDK's default `BatchSpanProcessor` exports from its own OS thread via
// `futures_executor::block_on`, while the tonic channel's worker and
// connection tasks run on this runtime. Runtime threads must therefore stay
// free while `force_flush` waits (see `blocking`); two workers also leave
// room for the receiver's own tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_processor_delivers_spans_over_grpc() {
    let receiver = OtlpReceiver::start().await.expect("receiver starts");
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder()
                .with_service_name("otlp-receiver-test")
                .build(),
        )
        .with_batch_exporter(otlp_exporter(&receiver))
        .with_simple_exporter(memory.clone())
        .build();

    record_parent_and_child(&provider);
    let flush = provider.clone();
    blocking(move || flush.force_flush())
        .await
        .expect("force_flush succeeds");

    let wire = receiver.wait_for_spans(2, WAIT).await;
    assert_parent_and_child(&wire);
    assert!(receiver.export_requests() >= 1);
    for span in &wire {
        assert_eq!(
            span.resource_attr("service.name"),
            Some(&AttrValue::Str("otlp-receiver-test".into()))
        );
    }

    // The same spans read from the SDK convert to the same model; only the
    // resource is absent there.
    let in_memory: Vec<ExportedSpan> = memory
        .get_finished_spans()
        .expect("in-memory exporter readable")
        .iter()
        .map(ExportedSpan::from)
        .collect();
    assert_parent_and_child(&in_memory);
    for span in &in_memory {
        assert!(span.resource.is_empty());
        let on_wire = wire
            .iter()
            .find(|w| w.span_id == span.span_id)
            .expect("in-memory span also arrived over the wire");
        let on_wire = ExportedSpan {
            resource: Vec::new(),
            ..on_wire.clone()
        };
        assert_eq!(&on_wire, span);
    }

    blocking(move || provider.shutdown())
        .await
        .expect("shutdown succeeds");
}

// `SimpleSpanProcessor::on_end` runs the export with `futures_executor::block_on`
// on whichever thread ends the span. Here that is the test body, which the
// multi-thread runtime drives outside its worker pool, so the workers stay
// free for the tonic channel. On a current-thread runtime, or from inside a
// spawned task, the same call would block the thread the channel needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_processor_exports_each_span_synchronously() {
    let receiver = OtlpReceiver::start().await.expect("receiver starts");
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(otlp_exporter(&receiver))
        .build();

    record_parent_and_child(&provider);
    // Each `end()` returned only after its Export call completed, so the
    // spans are already here: one request per span, child first.
    assert_eq!(receiver.export_requests(), 2);
    let spans = receiver.spans();
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["child", "parent"]);
    assert_parent_and_child(&receiver.wait_for_spans(2, WAIT).await);

    blocking(move || provider.shutdown())
        .await
        .expect("shutdown succeeds");
}

#[tokio::test]
async fn wait_for_spans_gives_up_at_the_timeout() {
    let receiver = OtlpReceiver::start().await.expect("receiver starts");
    let started = std::time::Instant::now();
    let spans = receiver.wait_for_spans(1, Duration::from_millis(100)).await;
    assert!(spans.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(started.elapsed() < WAIT);
    assert_eq!(receiver.export_requests(), 0);
    assert!(receiver.endpoint().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn dropping_the_receiver_closes_its_port() {
    let receiver = OtlpReceiver::start().await.expect("receiver starts");
    let addr = receiver.endpoint().replace("http://", "");
    tokio::net::TcpStream::connect(&addr)
        .await
        .expect("receiver accepts while alive");

    drop(receiver);
    // The listener closes on the server task, so allow it a bounded moment.
    let deadline = std::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(&addr).await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "{addr} still accepts connections after the receiver was dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
