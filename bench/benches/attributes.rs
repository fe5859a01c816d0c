//! Cost per call of each request attribute on a trivial `async fn`, in three set-ups, in one
//! run: no subscriber (disabled), `always_on` (sampled) and `always_off` (unsampled). Beside
//! each, what a service writes by hand today for the same span: `tracing` spans with the same
//! semantic-convention fields over tracing-opentelemetry and the SDK's W3C propagator.
//!
//! - `handler`: `#[traced_handler]` reading a request's headers (a request without a
//!   `traceparent`, as at the edge; `propagation` measures one with a parent), against
//!   extracting with the SDK propagator, an `info_span!` with the server fields,
//!   `set_parent`, and the response status recorded.
//! - `client`: `#[traced_client]` with a declared request, injecting the context into the
//!   request's headers, against an `info_span!` with the client fields (the URL parsed for
//!   the server address) and the SDK propagator injecting the span's context.
//! - `query`: `#[traced_query]` with its statement, against `#[instrument]` with the
//!   database fields written out and the returned rows recorded.
//!
//! Spans go to an SDK processor that drops them.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator as _};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator as SdkTraceContext;
use opentelemetry_sdk::trace::Sampler;
use traced::sampling::SamplerKind;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;

const QUERY: &str = "SELECT id, total FROM orders WHERE customer_id = $1";
const URL: &str = "http://inventory.internal:8080/api/items/7";

/// A request from a client that starts the trace: no `traceparent`.
fn incoming() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("orders.internal:8080"));
    headers.insert("user-agent", HeaderValue::from_static("bench/1.0"));
    headers.insert("accept", HeaderValue::from_static("application/json"));
    headers
}

/// Polls a future that is ready at once (the bodies never wait), as an executor would.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmarked bodies never wait"),
    }
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

#[traced::traced_query(
    "SELECT id, total FROM orders WHERE customer_id = $1",
    system = "postgresql"
)]
#[inline(never)]
async fn query_traced(customer: i64) -> Result<Vec<(i64, i64)>, std::io::Error> {
    Ok(vec![(black_box(customer), 12)])
}

// By hand.

struct Extract<'a>(&'a HeaderMap);

impl Extractor for Extract<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct Inject<'a>(&'a mut HeaderMap);

impl Injector for Inject<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

#[inline(never)]
async fn handler_body(headers: &HeaderMap) -> http::StatusCode {
    black_box(headers);
    http::StatusCode::OK
}

/// A server span as a hand-written integration makes it: the caller's context extracted,
/// the span with the attributes ours starts with, the body in it, the status recorded.
async fn handler_by_hand(propagator: &SdkTraceContext, headers: &HeaderMap) -> http::StatusCode {
    let parent = propagator.extract(&Extract(headers));
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
        propagator.inject_context(&cx, &mut Inject(&mut headers));
        black_box(&mut headers);
        headers
    }
    .instrument(span)
    .await
}

#[tracing::instrument(
    name = "SELECT orders",
    skip_all,
    fields(
        otel.kind = "client",
        db.system.name = "postgresql",
        db.query.text = QUERY,
        db.operation.name = "SELECT",
        db.collection.name = "orders",
        db.query.summary = "SELECT orders",
        db.response.returned_rows = tracing::field::Empty,
    )
)]
#[inline(never)]
async fn query_by_hand(customer: i64) -> Result<Vec<(i64, i64)>, std::io::Error> {
    let rows = vec![(black_box(customer), 12)];
    tracing::Span::current().record("db.response.returned_rows", rows.len() as i64);
    Ok(rows)
}

/// One set-up's six rows: each attribute, ours and by hand.
fn rows(group: &mut BenchmarkGroup<'_, WallTime>, label: &str, headers: &HeaderMap) {
    let propagator = SdkTraceContext::new();
    group.bench_function(format!("handler/traced/{label}"), |b| {
        b.iter(|| block_on(handler_traced(black_box(headers))))
    });
    group.bench_function(format!("handler/by_hand/{label}"), |b| {
        b.iter(|| block_on(handler_by_hand(&propagator, black_box(headers))))
    });
    group.bench_function(format!("client/traced/{label}"), |b| {
        b.iter(|| block_on(client_traced(black_box(URL))))
    });
    group.bench_function(format!("client/by_hand/{label}"), |b| {
        b.iter(|| block_on(client_by_hand(&propagator, black_box(URL))))
    });
    group.bench_function(format!("query/traced/{label}"), |b| {
        b.iter(|| block_on(query_traced(black_box(7))))
    });
    group.bench_function(format!("query/by_hand/{label}"), |b| {
        b.iter(|| block_on(query_by_hand(black_box(7))))
    });
}

fn bench(c: &mut Criterion) {
    let headers = incoming();
    let mut group = c.benchmark_group("attributes");
    rows(&mut group, "no_subscriber", &headers);
    for (label, sampler, kind) in [
        ("always_on", Sampler::AlwaysOn, SamplerKind::AlwaysOn),
        ("always_off", Sampler::AlwaysOff, SamplerKind::AlwaysOff),
    ] {
        // Our pipeline as `traced::init!` builds it with no log layer, and the alternative
        // over the same SDK sampler; each in its own rows, one subscriber at a time.
        let ours = traced_bench::provider_for(kind);
        let subscriber = tracing_subscriber::registry().with(
            traced::TracedLayer::new(ours.tracer("bench"))
                .with_sampler(kind)
                .skip_unsampled(LevelFilter::OFF),
        );
        let theirs = traced_bench::provider(sampler);
        let alternative = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(theirs.tracer("bench")));
        let alternative = tracing::Dispatch::new(alternative);
        let subscriber = tracing::Dispatch::new(subscriber);
        let propagator = SdkTraceContext::new();
        tracing::dispatcher::with_default(&subscriber, || {
            group.bench_function(format!("handler/traced/{label}"), |b| {
                b.iter(|| block_on(handler_traced(black_box(&headers))))
            });
            group.bench_function(format!("client/traced/{label}"), |b| {
                b.iter(|| block_on(client_traced(black_box(URL))))
            });
            group.bench_function(format!("query/traced/{label}"), |b| {
                b.iter(|| block_on(query_traced(black_box(7))))
            });
        });
        tracing::dispatcher::with_default(&alternative, || {
            group.bench_function(format!("handler/by_hand/{label}"), |b| {
                b.iter(|| block_on(handler_by_hand(&propagator, black_box(&headers))))
            });
            group.bench_function(format!("client/by_hand/{label}"), |b| {
                b.iter(|| block_on(client_by_hand(&propagator, black_box(URL))))
            });
            group.bench_function(format!("query/by_hand/{label}"), |b| {
                b.iter(|| block_on(query_by_hand(black_box(7))))
            });
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
