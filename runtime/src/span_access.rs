//! Reaching the OpenTelemetry span behind a `tracing::Span`.
//!
//! The layer keeps its data in the span's extensions in the `Registry`; the dispatcher finds
//! the `Registry` through `Layered`'s downcasting, so this works whatever layers sit on top.

use opentelemetry::Context;
use opentelemetry::trace::Span as _;
use tracing_subscriber::Registry;
use tracing_subscriber::registry::LookupSpan as _;

use crate::layer::OtelSpan;

/// Runs `f` on the OpenTelemetry data of `span`, if the span is enabled and exported by a
/// [`TracedLayer`](crate::TracedLayer) on a `Registry`.
pub(crate) fn with_otel_span<R>(
    span: &tracing::Span,
    f: impl FnOnce(&mut OtelSpan) -> R,
) -> Option<R> {
    span.with_subscriber(|(id, dispatch)| with_otel_span_of(dispatch, id, f))
        .flatten()
}

/// [`with_otel_span`] for the span `id` of `dispatch` (a span whose handle may be gone).
pub(crate) fn with_otel_span_of<R>(
    dispatch: &tracing::Dispatch,
    id: &tracing::span::Id,
    f: impl FnOnce(&mut OtelSpan) -> R,
) -> Option<R> {
    let registry = dispatch.downcast_ref::<Registry>()?;
    let span_ref = registry.span(id)?;
    let mut extensions = span_ref.extensions_mut();
    extensions.get_mut::<OtelSpan>().map(f)
}

/// The OpenTelemetry context of `span`: what a child started under it, or a request sent
/// from it, continues. Empty when the span is disabled or not exported.
///
/// ```
/// let span = tracing::info_span!("no subscriber here");
/// let cx = traced::context_of(&span);
/// # use opentelemetry::trace::TraceContextExt as _;
/// assert!(!cx.span().span_context().is_valid());
/// ```
pub fn context_of(span: &tracing::Span) -> Context {
    with_otel_span(span, |otel| otel.context()).unwrap_or_default()
}

/// The OpenTelemetry context of the current `tracing` span, or, when there is none that this
/// crate exports, OpenTelemetry's own current context.
pub fn current_context() -> Context {
    with_otel_span(&tracing::Span::current(), |otel| otel.context())
        .unwrap_or_else(Context::current)
}

/// The trace id and span id of `span` as lowercase hex, for log lines and error pages;
/// `None` when the span is not exported.
pub fn trace_ids(span: &tracing::Span) -> Option<(String, String)> {
    with_otel_span(span, |otel| {
        let sc = otel.span.span_context();
        (sc.trace_id().to_string(), sc.span_id().to_string())
    })
}
