//! Cost per call of the HTTP attributes on a trivial `async fn`, in three set-ups, in one
//! run: no subscriber (disabled), `always_on` (sampled) and `always_off` (unsampled). Beside
//! each, what a service writes by hand today for the same span: `tracing` spans with the same
//! semantic-convention fields over tracing-opentelemetry and the SDK's W3C propagator. The
//! query attribute's are in `traced-bench-sqlx` (`benches/query.rs`).
//!
//! - `handler`: `#[traced_handler]` reading a request's headers (a request without a
//!   `traceparent`, as at the edge; `propagation` measures one with a parent), against
//!   extracting with the SDK propagator, an `info_span!` with the server fields,
//!   `set_parent`, and the response status recorded.
//! - `client`: `#[traced_client]` with a declared request, injecting the context into the
//!   request's headers, against an `info_span!` with the client fields (the URL parsed for
//!   the server address) and the SDK propagator injecting the span's context.
//!
//! Spans go to an SDK processor that drops them.

use std::hint::black_box;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use http::{HeaderMap, HeaderValue, Uri};
use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry_sdk::propagation::TraceContextPropagator as SdkTraceContext;
use opentelemetry_sdk::trace::Sampler;
use traced::sampling::SamplerKind;
use traced_bench::{HeaderExtract, HeaderInject, block_on, otel_subscriber, traced_subscriber};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::filter::LevelFilter;

const URL: &str = "http://inventory.internal:8080/api/items/7";

/// A request from a client that starts the trace: no `traceparent`.
fn incoming() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("orders.internal:8080"));
    headers.insert("user-agent", HeaderValue::from_static("bench/1.0"));
    headers.insert("accept", HeaderValue::from_static("application/json"));
    headers
}

// Ours.

#[traced::traced_handler(headers = headers, method = "GET", route = "/api/orders/{id}")]
#[inline(never)]
async fn handler_traced(headers: &HeaderMap) -> http::StatusCode {
    black_box(headers);
    http::StatusCode::OK
}

#[traced::traced_client(method = "GET", url = url, template = "/api/items/{id}")]
#[inline(never)]
async fn client_traced(url: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    traced::http::inject_headers(&mut headers);
    headers
}

// By hand.

#[inline(never)]
async fn handler_body(headers: &HeaderMap) -> http::StatusCode {
    black_box(headers);
    http::StatusCode::OK
}

/// A server span as a hand-written integration makes it: the caller's context extracted,
/// the span with the attributes ours starts with, the body in it, the status recorded.
async fn handler_by_hand(propagator: &SdkTraceContext, headers: &HeaderMap) -> http::StatusCode {
    let parent = propagator.extract(&HeaderExtract(headers));
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    let (address, port) = host
        .and_then(|h| h.rsplit_once(':'))
        .map_or((host.unwrap_or_default(), 80), |(a, p)| {
            (a, p.parse().unwrap_or(80))
        });
    let span = tracing::info_span!(
        "handle",
        otel.kind = "server",
        otel.name = "GET /api/orders/{id}",
        http.request.method = "GET",
        http.route = "/api/orders/{id}",
        url.scheme = "http",
        server.address = address,
        server.port = i64::from(port),
        user_agent.original = headers.get("user-agent").and_then(|v| v.to_str().ok()),
        http.response.status_code = tracing::field::Empty,
    );
    let _ = span.set_parent(parent);
    let status = handler_body(headers).instrument(span.clone()).await;
    span.record("http.response.status_code", i64::from(status.as_u16()));
    status
}

/// A client span as a hand-written integration makes it: the URL read for the server
/// attributes, the span, its context injected into the request's headers.
async fn client_by_hand(propagator: &SdkTraceContext, url: &str) -> HeaderMap {
    let uri: Option<Uri> = url.parse().ok();
    let span = tracing::info_span!(
        "GET /api/items/{id}",
        otel.kind = "client",
        http.request.method = "GET",
        url.full = url,
        url.template = "/api/items/{id}",
        server.address = uri.as_ref().and_then(Uri::host),
        server.port = uri.as_ref().and_then(Uri::port_u16).map(i64::from),
        url.scheme = uri.as_ref().and_then(Uri::scheme_str),
        http.response.status_code = tracing::field::Empty,
    );
    async {
        let mut headers = HeaderMap::new();
        let cx = tracing::Span::current().context();
        propagator.inject_context(&cx, &mut HeaderInject(&mut headers));
        black_box(&mut headers);
        headers
    }
    .instrument(span)
    .await
}

/// Our attributes' rows for one set-up.
fn ours(group: &mut BenchmarkGroup<'_, WallTime>, label: &str, headers: &HeaderMap) {
    group.bench_function(format!("handler/traced/{label}"), |b| {
        b.iter(|| block_on(handler_traced(black_box(headers))))
    });
    group.bench_function(format!("client/traced/{label}"), |b| {
        b.iter(|| block_on(client_traced(black_box(URL))))
    });
}

/// The hand-written code's rows for one set-up.
fn by_hand(group: &mut BenchmarkGroup<'_, WallTime>, label: &str, headers: &HeaderMap) {
    let propagator = SdkTraceContext::new();
    group.bench_function(format!("handler/by_hand/{label}"), |b| {
        b.iter(|| block_on(handler_by_hand(&propagator, black_box(headers))))
    });
    group.bench_function(format!("client/by_hand/{label}"), |b| {
        b.iter(|| block_on(client_by_hand(&propagator, black_box(URL))))
    });
}

fn bench(c: &mut Criterion) {
    let headers = incoming();
    let mut group = c.benchmark_group("attributes");
    ours(&mut group, "no_subscriber", &headers);
    by_hand(&mut group, "no_subscriber", &headers);
    for (label, sampler, kind) in [
        ("always_on", Sampler::AlwaysOn, SamplerKind::AlwaysOn),
        ("always_off", Sampler::AlwaysOff, SamplerKind::AlwaysOff),
    ] {
        // Our pipeline as `traced::init!` builds it with no log layer, and the alternative
        // over the same SDK sampler; each in its own rows, one subscriber at a time.
        tracing::subscriber::with_default(traced_subscriber(kind, LevelFilter::OFF), || {
            ours(&mut group, label, &headers)
        });
        tracing::subscriber::with_default(otel_subscriber(sampler), || {
            by_hand(&mut group, label, &headers)
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
