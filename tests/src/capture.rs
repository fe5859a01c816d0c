//! In-memory capture of exported spans: a `TracedLayer` over an SDK provider with the
//! in-memory exporter, installed as this thread's default subscriber for one test.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{
    InMemorySpanExporter, Sampler, SdkTracerProvider, ShouldSample, SpanProcessor,
    TracerProviderBuilder,
};
use traced::sampling::{SamplerKind, TracedIdGenerator};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;

use crate::ExportedSpan;

/// Everything exported while it is alive, on this thread.
#[derive(Debug)]
pub struct Capture {
    exporter: InMemorySpanExporter,
    provider: SdkTracerProvider,
    _default: tracing::subscriber::DefaultGuard,
}

impl Capture {
    /// Captures with every span sampled.
    pub fn new() -> Self {
        Self::with_sampler(Sampler::AlwaysOn)
    }

    /// Captures with `sampler`.
    pub fn with_sampler(sampler: impl ShouldSample + 'static) -> Self {
        Self::build(SdkTracerProvider::builder().with_sampler(sampler), None)
    }

    /// Captures with every span sampled, `processor` seeing every span before the capture.
    pub fn with_processor(processor: impl SpanProcessor + 'static) -> Self {
        Self::build(
            SdkTracerProvider::builder().with_span_processor(processor),
            None,
        )
    }

    /// Captures as `traced::init!` sets up `kind`: the provider's sampler and our id
    /// generator, and the layer deciding first.
    pub fn with_kind(kind: SamplerKind) -> Self {
        Self::build(
            SdkTracerProvider::builder()
                .with_sampler(kind.sdk_sampler())
                .with_id_generator(TracedIdGenerator::default()),
            Some(kind),
        )
    }

    /// As [`Capture::with_kind`], with the layer leaving out dropped `#[traced]` spans more
    /// verbose than `shown_by_other_layers`.
    pub fn with_kind_skipping(kind: SamplerKind, shown_by_other_layers: LevelFilter) -> Self {
        Self::build_with(
            SdkTracerProvider::builder()
                .with_sampler(kind.sdk_sampler())
                .with_id_generator(TracedIdGenerator::default()),
            |layer| {
                layer
                    .with_sampler(kind)
                    .skip_unsampled(shown_by_other_layers)
            },
        )
    }

    /// The layer told `kind`, over a provider with that sampler but the SDK's own ids: the
    /// layer must notice that roots it sampled got other trace ids.
    pub fn with_kind_and_sdk_ids(kind: SamplerKind) -> Self {
        Self::build(
            SdkTracerProvider::builder().with_sampler(kind.sdk_sampler()),
            Some(kind),
        )
    }

    fn build(builder: TracerProviderBuilder, kind: Option<SamplerKind>) -> Self {
        Self::build_with(builder, |layer| match kind {
            Some(kind) => layer.with_sampler(kind),
            None => layer,
        })
    }

    fn build_with(
        builder: TracerProviderBuilder,
        configure: impl FnOnce(traced::TracedLayer) -> traced::TracedLayer,
    ) -> Self {
        let exporter = InMemorySpanExporter::default();
        let provider = builder.with_simple_exporter(exporter.clone()).build();
        let layer = configure(traced::TracedLayer::new(provider.tracer("traced-tests")));
        let default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
        Self {
            exporter,
            provider,
            _default: default,
        }
    }

    /// The spans that ended so far, in the order they ended.
    pub fn spans(&self) -> Vec<ExportedSpan> {
        let _ = self.provider.force_flush();
        self.exporter
            .get_finished_spans()
            .unwrap_or_default()
            .iter()
            .map(ExportedSpan::from)
            .collect()
    }

    /// The one span named `name` (panics, listing what there is, if there is not exactly one).
    pub fn span(&self, name: &str) -> ExportedSpan {
        let spans = self.spans();
        let matching: Vec<_> = spans.iter().filter(|s| s.name == name).collect();
        assert_eq!(
            matching.len(),
            1,
            "expected exactly one span named {name:?}, got: {:?}",
            spans.iter().map(|s| &s.name).collect::<Vec<_>>()
        );
        matching[0].clone()
    }
}

impl Default for Capture {
    fn default() -> Self {
        Self::new()
    }
}
