//! Sampling that honours force trace: a request marked with the force-trace header (see
//! [`crate::http::HttpConfig::force_trace_header`]) is recorded and exported whatever the
//! configured sampler would say, and so is everything under it.

use opentelemetry::trace::{Link, SpanKind, TraceContextExt as _, TraceId};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{Sampler, SamplingDecision, SamplingResult, ShouldSample};

use crate::http::ForceTrace;

/// Wraps a sampler so that spans started in a force-traced context are always recorded and
/// sampled; every other decision is the wrapped sampler's.
///
/// ```
/// use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
/// use traced::sampling::ForceTraceSampler;
///
/// let provider = SdkTracerProvider::builder()
///     .with_sampler(ForceTraceSampler::new(Sampler::ParentBased(Box::new(
///         Sampler::TraceIdRatioBased(0.01),
///     ))))
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug, Clone)]
pub struct ForceTraceSampler<S = Sampler> {
    inner: S,
}

impl<S: ShouldSample + Clone + 'static> ForceTraceSampler<S> {
    /// `inner`, overridden by force trace.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S: ShouldSample + Clone + 'static> ShouldSample for ForceTraceSampler<S> {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        if let Some(cx) = parent_context
            && ForceTrace::is_set(cx)
        {
            return SamplingResult {
                decision: SamplingDecision::RecordAndSample,
                attributes: Vec::new(),
                trace_state: cx.span().span_context().trace_state().clone(),
            };
        }
        self.inner
            .should_sample(parent_context, trace_id, name, span_kind, attributes, links)
    }
}
