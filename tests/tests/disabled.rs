//! With no subscriber taking their level, the request attributes do none of their work: the
//! request is not read, the URL is not parsed, the query's options are not built, and, as
//! `tracing::span!` does for a span nobody takes, the expressions given for them are not
//! evaluated. Alone in its test binary: the levels taken are process-wide.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use http::HeaderMap;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::http::axum::FallbackSpanLayer;
use traced_tests::{Capture, serve};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;

static READ: AtomicUsize = AtomicUsize::new(0);

/// Counts how often the attribute reads what it was given.
fn noted<T>(value: T) -> T {
    READ.fetch_add(1, Ordering::Relaxed);
    value
}

#[traced::traced_handler(headers = noted(headers), method = "GET", route = "/orders/{id}")]
fn handle(headers: &HeaderMap) -> http::StatusCode {
    assert!(headers.contains_key("host"));
    http::StatusCode::OK
}

#[traced::traced_client(method = "GET", url = noted(url))]
fn call(url: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    traced::http::inject_headers(&mut headers);
    headers
}

#[traced::traced_query("SELECT id FROM orders WHERE id = $1", system = "postgresql", fields(id = noted(id)))]
async fn find(id: i64) -> Result<Option<i64>, std::io::Error> {
    Ok(Some(id))
}

#[traced::traced_handler(level = "debug")]
async fn quiet() -> &'static str {
    "quiet"
}

fn run_all() -> HeaderMap {
    let mut request = HeaderMap::new();
    request.insert("host", http::HeaderValue::from_static("orders.internal"));
    assert_eq!(handle(&request), http::StatusCode::OK);
    let sent = call("http://inventory.internal/items/7");
    let found = futures_lite_block_on(find(7));
    assert_eq!(found.unwrap(), Some(7));
    sent
}

/// Polls a future that is ready at once.
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => unreachable!("the body never waits"),
    }
}

#[test]
fn nothing_is_read_for_a_level_nobody_takes_and_everything_once_one_does() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let get_quiet = || {
        runtime.block_on(async {
            let app = Router::new()
                .route("/quiet", get(quiet))
                .layer(FallbackSpanLayer::new());
            let addr = serve(app).await;
            reqwest::get(format!("http://{addr}/quiet"))
                .await
                .expect("the server answers")
                .text()
                .await
                .expect("a body")
        })
    };

    // No subscriber anywhere in this process yet; an annotated axum handler, whose request
    // is then left unread, answers as ever.
    let sent = run_all();
    assert_eq!(READ.load(Ordering::Relaxed), 0, "read with no subscriber");
    assert!(sent.is_empty(), "nothing to propagate: {sent:?}");
    assert_eq!(get_quiet(), "quiet");

    // A subscriber that takes INFO but not the handler's DEBUG: the handler's span is not
    // made, and the fallback layer, told that an annotated handler served the request,
    // makes none either.
    {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer =
            traced::TracedLayer::new(provider.tracer("disabled")).with_filter(LevelFilter::INFO);
        let _default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
        assert_eq!(get_quiet(), "quiet");
        let _ = provider.force_flush();
        let spans = exporter.get_finished_spans().expect("the spans");
        let names: Vec<_> = spans.iter().map(|s| s.name.clone()).collect();
        assert!(
            names.is_empty(),
            "no span for a DEBUG handler under INFO: {names:?}"
        );
    }

    // Once a subscriber takes the level, each attribute reads what it was given once, and
    // the spans are made from it.
    let capture = Capture::new();
    let sent = run_all();
    assert_eq!(READ.load(Ordering::Relaxed), 3);
    assert!(sent.contains_key("traceparent"));
    assert_eq!(get_quiet(), "quiet");
    let spans = capture.spans();
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in ["GET /orders/{id}", "GET", "SELECT orders", "GET /quiet"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let quiet = capture.span("GET /quiet");
    assert_eq!(quiet.str_attr("http.route"), Some("/quiet"));
    assert_eq!(quiet.i64_attr("http.response.status_code"), Some(200));
}
