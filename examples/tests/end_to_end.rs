//! The demo's scenario against the test OTLP receiver: the real `demo` binary, configured
//! only by `OTEL_EXPORTER_OTLP_ENDPOINT`, and what reaches the collector.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use traced_tests::{AttrValue, ExportedSpan, OtlpReceiver, SpanKind, SpanStatus};

fn parent<'a>(spans: &'a [ExportedSpan], span: &ExportedSpan) -> Option<&'a ExportedSpan> {
    let id = span.parent_span_id.as_deref()?;
    spans.iter().find(|s| s.span_id == id)
}

fn child<'a>(spans: &'a [ExportedSpan], of: &ExportedSpan, name: &str) -> &'a ExportedSpan {
    spans
        .iter()
        .find(|s| s.name == name && s.parent_span_id.as_deref() == Some(of.span_id.as_str()))
        .unwrap_or_else(|| panic!("no {name:?} under {:?}", of.name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_makes_one_trace_per_order_across_both_services() {
    check_demo(None, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_on_postgresql() {
    let url = std::env::var("TRACED_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    if std::net::TcpStream::connect("127.0.0.1:5432").is_err() && url.contains("127.0.0.1:5432") {
        eprintln!("SKIPPED: no PostgreSQL at {url}; set TRACED_TEST_POSTGRES_URL");
        return;
    }
    check_demo(Some(url), "postgresql").await;
}

async fn check_demo(database_url: Option<String>, system: &'static str) {
    let receiver = OtlpReceiver::start().await.unwrap();
    let endpoint = receiver.endpoint();
    let output = tokio::task::spawn_blocking(move || {
        let mut demo = Command::new(env!("CARGO_BIN_EXE_demo"));
        demo.env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .env_remove("OTEL_TRACES_EXPORTER")
            .env_remove("DATABASE_URL");
        if let Some(url) = database_url {
            demo.env("DATABASE_URL", url);
        }
        demo.output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("a good order: 201 Created"), "{stdout}");
    assert!(stdout.contains("OTLP/JSON traces written to"), "{stdout}");

    let spans = receiver.wait_for_spans(25, Duration::from_secs(10)).await;
    let mut traces: HashMap<&str, Vec<ExportedSpan>> = HashMap::new();
    for span in &spans {
        traces
            .entry(span.trace_id.as_str())
            .or_default()
            .push(span.clone());
    }
    let order_of = |status: i64| {
        traces
            .values()
            .filter(|t| {
                t.iter().any(|s| {
                    s.name == "POST /api/orders"
                        && s.i64_attr("http.response.status_code") == Some(status)
                })
            })
            .cloned()
            .collect::<Vec<_>>()
    };

    // The good order (and the forced one): one trace, in the semconv shape.
    let created = order_of(201);
    assert_eq!(created.len(), 2, "the good order and the forced one");
    for trace in &created {
        let server = trace.iter().find(|s| s.name == "POST /api/orders").unwrap();
        assert_eq!(server.kind, SpanKind::Server);
        assert_eq!(server.parent_span_id, None);
        assert_eq!(server.str_attr("http.route"), Some("/api/orders"));
        assert!(matches!(
            server.attr("server.port"),
            Some(AttrValue::I64(_))
        ));
        assert!(server.i64_attr("order_id").is_some());
        assert!(server.i64_attr("total_cents").is_some());
        let client = child(trace, server, "POST /api/inventory/check");
        assert_eq!(client.kind, SpanKind::Client);
        assert_eq!(
            client.str_attr("url.template"),
            Some("/api/inventory/check")
        );
        assert_eq!(client.i64_attr("http.response.status_code"), Some(200));
        let inventory = child(trace, client, "POST /api/inventory/check");
        assert_eq!(inventory.kind, SpanKind::Server);
        let stock = child(trace, inventory, "SELECT stock");
        assert_eq!(stock.kind, SpanKind::Client);
        assert_eq!(stock.str_attr("db.system.name"), Some(system));
        assert_eq!(stock.i64_attr("db.response.returned_rows"), Some(1));
        let insert = child(trace, server, "INSERT orders");
        assert_eq!(insert.str_attr("db.collection.name"), Some("orders"));
        assert!(!insert.str_attr("db.query.text").unwrap().contains("c-"));
        let send = child(trace, server, "send orders");
        assert_eq!(send.kind, SpanKind::Producer);
        let process = child(trace, send, "process orders");
        assert_eq!(process.kind, SpanKind::Consumer);
        assert_eq!(
            process.str_attr("messaging.destination.name"),
            Some("orders")
        );
        for span in trace {
            assert_eq!(span.status, SpanStatus::Unset, "{}", span.name);
        }
    }
    assert!(
        created.iter().any(|t| t
            .iter()
            .any(|s| s.bool_attr("traced.force_trace") == Some(true))),
        "the x-force-trace order is marked"
    );

    // Unavailable item: 409 is the client's error, nothing is Error.
    let conflict = order_of(409);
    assert_eq!(conflict.len(), 1);
    for span in &conflict[0] {
        assert_eq!(span.status, SpanStatus::Unset, "{}", span.name);
    }

    // Database error: the INSERT and the SERVER span are Error, and only they.
    let failed = order_of(500);
    assert_eq!(failed.len(), 1);
    let failed = &failed[0];
    let insert = failed.iter().find(|s| s.name == "INSERT orders").unwrap();
    assert!(matches!(insert.status, SpanStatus::Error(_)));
    assert!(insert.str_attr("db.response.status_code").is_some());
    let server = failed
        .iter()
        .find(|s| s.name == "POST /api/orders")
        .unwrap();
    assert_eq!(
        server.str_attr("error.type"),
        Some("examples::orders::OrderError")
    );
    let stack = server
        .event("exception")
        .and_then(|e| e.str_attr("exception.stacktrace"))
        .unwrap();
    assert!(
        stack.contains("CHECK constraint failed") || stack.contains("violates check constraint"),
        "{stack}"
    );
    let errors: Vec<&str> = failed
        .iter()
        .filter(|s| matches!(s.status, SpanStatus::Error(_)))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        parent(failed, insert).map(|p| p.name.as_str()),
        Some("POST /api/orders")
    );

    // The read back.
    assert!(
        traces
            .values()
            .any(|t| t.iter().any(|s| s.name == "GET /api/orders/{id}"
                && s.i64_attr("http.response.status_code") == Some(200)))
    );
}
