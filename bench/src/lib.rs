//! Shared set-up for the benchmarks: pipelines that differ only in the piece measured.

use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    Sampler, SdkTracerProvider, Span, SpanData, SpanProcessor, TracerProviderBuilder,
};

/// A span processor that drops what it gets, so that export costs are left out.
#[derive(Debug)]
pub struct Discard;

impl SpanProcessor for Discard {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        std::hint::black_box(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// An SDK provider with `sampler` whose spans go nowhere.
pub fn provider(sampler: Sampler) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_span_processor(Discard)
        .build()
}

/// Our provider for `kind`, as `traced::init!` builds it, whose spans go nowhere: the
/// sampler of that kind and the id generator the layer decides roots with.
pub fn provider_for(kind: traced::sampling::SamplerKind) -> SdkTracerProvider {
    builder_for(kind).with_span_processor(Discard).build()
}

fn builder_for(kind: traced::sampling::SamplerKind) -> TracerProviderBuilder {
    SdkTracerProvider::builder()
        .with_sampler(kind.sdk_sampler())
        .with_id_generator(traced::sampling::TracedIdGenerator::default())
}

/// The context a request with `traceparent: 00-…-00` (not sampled) continues.
pub fn unsampled_remote_parent() -> Context {
    use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId};
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
        SpanId::from(0x00f0_67aa_0ba9_02b7),
        TraceFlags::default(),
        true,
        Default::default(),
    ))
}

/// A fastrace reporter that drops what it gets.
#[derive(Debug)]
pub struct FastraceDiscard;

impl fastrace::collector::Reporter for FastraceDiscard {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        std::hint::black_box(spans);
    }
}

/// An exporter that drops the batches it gets.
#[derive(Debug)]
pub struct DiscardExporter;

impl opentelemetry_sdk::trace::SpanExporter for DiscardExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        std::hint::black_box(batch);
        Ok(())
    }
}

/// Our provider for `kind` with the SDK's batch processor in front of [`DiscardExporter`]:
/// the export path of a service, without the network.
pub fn batch_provider(kind: traced::sampling::SamplerKind) -> SdkTracerProvider {
    builder_for(kind)
        .with_batch_exporter(DiscardExporter)
        .build()
}

/// An SDK provider with `sampler` and the SDK's own ids, with the SDK's batch processor in
/// front of [`DiscardExporter`]: the OpenTelemetry SDK used directly, as [`batch_provider`]
/// exports.
pub fn sdk_batch_provider(sampler: Sampler) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_batch_exporter(DiscardExporter)
        .build()
}

/// Polls a future that is ready at once (the benchmarked bodies never wait), as an executor
/// would, with a waker that does nothing.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => unreachable!("the benchmarked bodies never wait"),
    }
}

/// What a hand-written integration reads headers with: the SDK's `Extractor` over a
/// `HeaderMap`.
#[derive(Debug)]
pub struct HeaderExtract<'a>(pub &'a http::HeaderMap);

impl opentelemetry::propagation::Extractor for HeaderExtract<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// What a hand-written integration writes headers with: the SDK's `Injector` over a
/// `HeaderMap`.
#[derive(Debug)]
pub struct HeaderInject<'a>(pub &'a mut http::HeaderMap);

impl opentelemetry::propagation::Injector for HeaderInject<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Our pipeline as `traced::init!` builds it, with spans that go nowhere. `shown` is the
/// most verbose level another layer shows spans at: `OFF` when our layer is alone (what
/// `init!` passes with `TRACED_LOG_FORMAT=none` or `RUST_LOG=warn`), `INFO` as with
/// `init!`'s default log layer, which keeps every INFO span.
pub fn traced_subscriber(
    kind: traced::sampling::SamplerKind,
    shown: tracing_subscriber::filter::LevelFilter,
) -> impl tracing::Subscriber + Send + Sync {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    let provider = provider_for(kind);
    tracing_subscriber::registry().with(
        traced::TracedLayer::new(provider.tracer("bench"))
            .with_sampler(kind)
            .skip_unsampled(shown),
    )
}

/// The alternative: tracing-opentelemetry over the SDK with `sampler`, spans going nowhere.
pub fn otel_subscriber(sampler: Sampler) -> impl tracing::Subscriber + Send + Sync {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    let provider = provider(sampler);
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")))
}
