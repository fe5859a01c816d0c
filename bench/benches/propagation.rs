//! A server span built from an incoming `traceparent`, and injection into an outgoing
//! request: ours against `#[instrument]` + tracing-opentelemetry with the SDK's W3C
//! propagator, and against the OpenTelemetry SDK used alone, in one run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue};
use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator as SdkTraceContext;
use opentelemetry_sdk::trace::Sampler;
use traced::sampling::SamplerKind;
use traced_bench::{HeaderExtract, HeaderInject};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn incoming() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("traceparent", HeaderValue::from_static(TRACEPARENT));
    headers.insert("tracestate", HeaderValue::from_static("congo=t61rcWkgMzE"));
    headers.insert("host", HeaderValue::from_static("orders.internal:8080"));
    headers.insert("user-agent", HeaderValue::from_static("bench/1.0"));
    headers
}

#[traced::traced_handler(headers = headers, method = "GET", route = "/api/orders/{id}")]
#[inline(never)]
fn handle_traced(headers: &HeaderMap) -> http::StatusCode {
    black_box(headers);
    http::StatusCode::OK
}

/// The handler body of the alternative: its span is made by the integration around it.
#[inline(never)]
fn handle_plain(headers: &HeaderMap) -> http::StatusCode {
    black_box(headers);
    tracing::Span::current().record("http.response.status_code", 200_i64);
    http::StatusCode::OK
}

/// What a hand-written integration does: extract with the SDK propagator, create the
/// server span with the same attributes ours starts with, set its parent, run the body.
fn server_span_otel(propagator: &SdkTraceContext, headers: &HeaderMap) -> http::StatusCode {
    let parent = propagator.extract(&HeaderExtract(headers));
    let span = tracing::info_span!(
        "handle",
        otel.kind = "server",
        otel.name = "GET /api/orders/{id}",
        http.request.method = "GET",
        http.route = "/api/orders/{id}",
        url.path = "/api/orders/7",
        url.scheme = "http",
        server.address = "orders.internal",
        server.port = 8080_i64,
        user_agent.original = "bench/1.0",
        http.response.status_code = tracing::field::Empty,
    );
    let _ = span.set_parent(parent);
    span.in_scope(|| handle_plain(headers))
}

/// The same server span with the OpenTelemetry SDK alone, no `tracing`: the SDK propagator's
/// extraction, the span built with the same attributes and made current while the body
/// runs, the status recorded. The floor of any server span on the SDK's spans.
///
/// With `propagator` `None`, the extraction is `traced::propagation::extract` (this crate's
/// W3C Trace Context and Baggage, reading the `HeaderMap` directly).
fn server_span_sdk(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    propagator: Option<&SdkTraceContext>,
    headers: &HeaderMap,
) -> http::StatusCode {
    use opentelemetry::KeyValue;
    use opentelemetry::trace::{SpanKind, TraceContextExt as _, Tracer as _};
    let parent = match propagator {
        Some(propagator) => propagator.extract(&HeaderExtract(headers)),
        None => traced::propagation::extract(headers),
    };
    let span = tracer
        .span_builder("GET /api/orders/{id}")
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.route", "/api/orders/{id}"),
            KeyValue::new("url.path", "/api/orders/7"),
            KeyValue::new("url.scheme", "http"),
            KeyValue::new("server.address", "orders.internal"),
            KeyValue::new("server.port", 8080_i64),
            KeyValue::new("user_agent.original", "bench/1.0"),
        ])
        .start_with_context(tracer, &parent);
    let cx = parent.with_span(span);
    let status = {
        let _current = cx.clone().attach();
        black_box(headers);
        http::StatusCode::OK
    };
    let span = cx.span();
    span.set_attribute(KeyValue::new("http.response.status_code", 200_i64));
    span.end();
    status
}

fn bench(c: &mut Criterion) {
    let headers = incoming();
    let mut traceparent_only = headers.clone();
    traceparent_only.remove("tracestate");
    // The request as the other benches send it (a `traceparent` and a `tracestate`), and one
    // with a `traceparent` only, as most senders' requests come.
    for (group_name, headers) in [
        ("server_span_with_w3c_parent", &headers),
        (
            "server_span_with_w3c_parent/traceparent_only",
            &traceparent_only,
        ),
    ] {
        let mut group = c.benchmark_group(group_name);
        {
            let kind = SamplerKind::ParentBasedAlwaysOn;
            let provider = traced_bench::provider_for(kind);
            let subscriber = tracing_subscriber::registry()
                .with(traced::TracedLayer::new(provider.tracer("bench")).with_sampler(kind));
            tracing::subscriber::with_default(subscriber, || {
                group.bench_function("traced_handler", |b| {
                    b.iter(|| handle_traced(black_box(headers)))
                });
            });
        }
        {
            let provider =
                traced_bench::provider(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)));
            let subscriber = tracing_subscriber::registry()
                .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
            let propagator = SdkTraceContext::new();
            tracing::subscriber::with_default(subscriber, || {
                group.bench_function("instrument+tracing-opentelemetry", |b| {
                    b.iter(|| server_span_otel(&propagator, black_box(headers)))
                });
            });
        }
        {
            let provider =
                traced_bench::provider(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)));
            let tracer = provider.tracer("bench");
            let propagator = SdkTraceContext::new();
            group.bench_function("sdk_direct", |b| {
                b.iter(|| server_span_sdk(&tracer, Some(&propagator), black_box(headers)))
            });
            group.bench_function("sdk_direct_traced_propagation", |b| {
                b.iter(|| server_span_sdk(&tracer, None, black_box(headers)))
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("inject_into_request");
    let cx = traced::propagation::extract(&headers);
    group.bench_function("traced", |b| {
        b.iter(|| {
            let mut out = HeaderMap::new();
            traced::propagation::inject(black_box(&cx), &mut out);
            out
        })
    });
    let sdk = SdkTraceContext::new();
    let sdk_cx = sdk.extract(&HeaderExtract(&headers));
    group.bench_function("sdk-propagator", |b| {
        b.iter(|| {
            let mut out = HeaderMap::new();
            sdk.inject_context(black_box(&sdk_cx), &mut HeaderInject(&mut out));
            out
        })
    });
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
