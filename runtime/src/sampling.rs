//! Sampling that honours force trace: a request marked with the force-trace header (see
//! [`crate::http::HttpConfig::force_trace_header`]) is recorded and exported whatever the
//! configured sampler would say, and so is everything under it.

use opentelemetry::trace::{Link, SpanId, SpanKind, TraceContextExt as _, TraceId};
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
    /// What `inner` decides, when it is a sampler that [`SamplerKind::sdk_sampler`] made
    /// and that is answered here without asking it.
    known: Known,
}

/// A sampler whose answer takes no SDK call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// Any sampler: ask it.
    No,
    /// `AlwaysOn`: every span is recorded and sampled, force trace or not.
    KeepsAll,
    /// `ParentBased(AlwaysOn)`: a span is sampled unless its parent is not.
    KeepsSampledParents,
}

impl<S: ShouldSample + Clone + 'static> ForceTraceSampler<S> {
    /// `inner`, overridden by force trace.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            known: Known::No,
        }
    }
}

/// What every SDK sampler answers when it samples: no attributes, the parent's trace state.
#[inline]
fn record_and_sample(parent_context: Option<&Context>) -> SamplingResult {
    SamplingResult {
        decision: SamplingDecision::RecordAndSample,
        attributes: Vec::new(),
        trace_state: parent_context
            .filter(|cx| cx.has_active_span())
            .map(|cx| cx.span().span_context().trace_state().clone())
            .unwrap_or_default(),
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
        if self.known == Known::KeepsAll || parent_context.is_some_and(ForceTrace::is_set) {
            return record_and_sample(parent_context);
        }
        if self.known == Known::KeepsSampledParents {
            // What the SDK's `ParentBased(AlwaysOn)` answers: the parent's decision, remote
            // or local; a root is sampled.
            return match parent_context.filter(|cx| cx.has_active_span()) {
                Some(cx) if !cx.span().span_context().is_sampled() => SamplingResult {
                    decision: SamplingDecision::Drop,
                    attributes: Vec::new(),
                    trace_state: cx.span().span_context().trace_state().clone(),
                },
                _ => record_and_sample(parent_context),
            };
        }
        self.inner
            .should_sample(parent_context, trace_id, name, span_kind, attributes, links)
    }
}

/// The samplers of `OTEL_TRACES_SAMPLER`, as a value the layer can decide with by itself.
///
/// Give the same kind to the provider ([`SamplerKind::sdk_sampler`], with
/// [`TracedIdGenerator`]) and to the layer ([`crate::TracedLayer::with_sampler`]): the layer
/// then takes the sampling decision before the SDK is asked, so a span the sampler drops
/// costs no SDK span, no attribute and no field visit. [`traced::init!`](crate::init!) does
/// both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SamplerKind {
    /// `always_on`.
    AlwaysOn,
    /// `always_off`.
    AlwaysOff,
    /// `traceidratio`, with its ratio.
    TraceIdRatio(f64),
    /// `parentbased_always_on` (the default).
    ParentBasedAlwaysOn,
    /// `parentbased_always_off`.
    ParentBasedAlwaysOff,
    /// `parentbased_traceidratio`, with its ratio.
    ParentBasedTraceIdRatio(f64),
}

/// What the layer decided before asking the SDK.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Presampled {
    /// The sampler drops the span: it gets this trace id and is never started in the SDK.
    Drop(TraceId),
    /// The sampler records the span; a root decided on a trace id of ours carries it, and
    /// the SDK must start the span with that id (see [`TracedIdGenerator`]).
    Sample(Option<TraceId>),
}

impl SamplerKind {
    /// Whether this sampler ever drops a span (`AlwaysOn` keeps all of them; the
    /// parent-based ones drop those of an unsampled parent).
    pub(crate) fn may_drop(self) -> bool {
        !matches!(self, SamplerKind::AlwaysOn)
    }

    /// The SDK sampler of this kind, honouring force trace.
    ///
    /// ```
    /// use opentelemetry_sdk::trace::SdkTracerProvider;
    /// use traced::sampling::{SamplerKind, TracedIdGenerator};
    ///
    /// let kind = SamplerKind::ParentBasedTraceIdRatio(0.01);
    /// let provider = SdkTracerProvider::builder()
    ///     .with_sampler(kind.sdk_sampler())
    ///     .with_id_generator(TracedIdGenerator::default())
    ///     .build();
    /// # use opentelemetry::trace::TracerProvider as _;
    /// let layer = traced::TracedLayer::new(provider.tracer("app")).with_sampler(kind);
    /// # drop(layer);
    /// ```
    pub fn sdk_sampler(self) -> ForceTraceSampler<Sampler> {
        let ratio = Sampler::TraceIdRatioBased;
        let inner = match self {
            SamplerKind::AlwaysOn => Sampler::AlwaysOn,
            SamplerKind::AlwaysOff => Sampler::AlwaysOff,
            SamplerKind::TraceIdRatio(r) => ratio(r),
            SamplerKind::ParentBasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
            SamplerKind::ParentBasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
            SamplerKind::ParentBasedTraceIdRatio(r) => Sampler::ParentBased(Box::new(ratio(r))),
        };
        let known = match self {
            SamplerKind::AlwaysOn => Known::KeepsAll,
            SamplerKind::ParentBasedAlwaysOn => Known::KeepsSampledParents,
            _ => Known::No,
        };
        ForceTraceSampler { inner, known }
    }

    /// The decision [`SamplerKind::sdk_sampler`] takes for a span started in `parent`,
    /// taken without the span's name, kind or attributes (none of these samplers reads
    /// them). `ratio_roots` says whether a root under a ratio may be decided on a trace id
    /// of ours (the provider uses [`TracedIdGenerator`]).
    pub(crate) fn presample(self, parent: &Context, ratio_roots: bool) -> Presampled {
        // Force trace only adds to what is kept: nothing to look up when all is.
        if !self.may_drop() || ForceTrace::is_set(parent) {
            return Presampled::Sample(None);
        }
        let parent_span = parent.has_active_span().then(|| parent.span());
        let parent_sc = parent_span.as_ref().map(|span| span.span_context());
        let parent_trace = parent_sc.filter(|sc| sc.is_valid()).map(|sc| sc.trace_id());
        let parent_based = matches!(
            self,
            SamplerKind::ParentBasedAlwaysOn
                | SamplerKind::ParentBasedAlwaysOff
                | SamplerKind::ParentBasedTraceIdRatio(_)
        );
        if parent_based && let Some(sc) = parent_sc {
            return match sc.is_sampled() {
                true => Presampled::Sample(None),
                false => Presampled::Drop(parent_trace.unwrap_or_else(ids::trace_id)),
            };
        }
        match self {
            SamplerKind::AlwaysOn | SamplerKind::ParentBasedAlwaysOn => Presampled::Sample(None),
            SamplerKind::AlwaysOff | SamplerKind::ParentBasedAlwaysOff => {
                Presampled::Drop(parent_trace.unwrap_or_else(ids::trace_id))
            }
            SamplerKind::TraceIdRatio(ratio) | SamplerKind::ParentBasedTraceIdRatio(ratio) => {
                let (trace_id, ours) = match parent_trace {
                    Some(trace_id) => (trace_id, false),
                    None if ratio_roots => (ids::trace_id(), true),
                    None => return Presampled::Sample(None),
                };
                if ratio_samples(ratio, trace_id) {
                    Presampled::Sample(ours.then_some(trace_id))
                } else {
                    Presampled::Drop(trace_id)
                }
            }
        }
    }
}

/// `TraceIdRatioBased`'s rule, as the SDK applies it (the low 63 bits of the id's last
/// eight bytes against the ratio).
fn ratio_samples(ratio: f64, trace_id: TraceId) -> bool {
    if ratio >= 1.0 {
        return true;
    }
    let bound = (ratio.max(0.0) * (1u64 << 63) as f64) as u64;
    let bytes = trace_id.to_bytes();
    let low = u64::from_be_bytes(bytes[8..].try_into().expect("eight bytes"));
    (low >> 1) < bound
}

/// The SDK's id generator for a provider that [`crate::TracedLayer::with_sampler`] decides
/// for: random ids from a fast per-thread generator, and for a root span the trace id the
/// layer sampled it on.
#[derive(Debug, Default, Clone)]
pub struct TracedIdGenerator {
    _private: (),
}

impl opentelemetry_sdk::trace::IdGenerator for TracedIdGenerator {
    fn new_trace_id(&self) -> TraceId {
        ids::take_preset().unwrap_or_else(ids::trace_id)
    }

    fn new_span_id(&self) -> SpanId {
        ids::span_id()
    }
}

/// Trace and span ids: SplitMix64 per thread, seeded from the process's random hasher keys
/// and the thread, never zero. Fast and well spread; not for secrets.
pub(crate) mod ids {
    use std::cell::Cell;
    use std::hash::{BuildHasher as _, Hasher as _};

    use opentelemetry::trace::{SpanId, TraceId};

    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_usize(&hasher as *const _ as usize);
            hasher.finish()
        });
        static PRESET: Cell<Option<TraceId>> = const { Cell::new(None) };
    }

    const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

    /// SplitMix64's output for the state `z`.
    fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn next() -> u64 {
        STATE.with(|state| {
            let z = state.get().wrapping_add(GOLDEN);
            state.set(z);
            mix(z)
        })
    }

    pub(crate) fn trace_id() -> TraceId {
        // Two steps of the generator for one look-up of its state.
        STATE.with(|state| {
            loop {
                let high = state.get().wrapping_add(GOLDEN);
                let low = high.wrapping_add(GOLDEN);
                state.set(low);
                let id = (u128::from(mix(high)) << 64) | u128::from(mix(low));
                if id != 0 {
                    return TraceId::from(id);
                }
            }
        })
    }

    pub(crate) fn span_id() -> SpanId {
        loop {
            let id = next();
            if id != 0 {
                return SpanId::from(id);
            }
        }
    }

    /// The trace id the next root span on this thread must get.
    pub(crate) fn preset(trace_id: Option<TraceId>) {
        PRESET.with(|slot| slot.set(trace_id));
    }

    pub(crate) fn take_preset() -> Option<TraceId> {
        PRESET.with(Cell::take)
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanContext, TraceFlags, TraceState};

    use super::*;

    /// Every kind of parent a sampler meets: none, a context without a span, and local or
    /// remote parents, sampled or not, with a trace state.
    fn parents() -> Vec<Option<Context>> {
        let state = TraceState::from_key_value([("congo", "t61rcWkgMzE")]).unwrap();
        let mut parents = vec![None, Some(Context::new())];
        for remote in [false, true] {
            for flags in [TraceFlags::SAMPLED, TraceFlags::default()] {
                let sc = SpanContext::new(
                    TraceId::from(7_u128),
                    SpanId::from(9_u64),
                    flags,
                    remote,
                    state.clone(),
                );
                let cx = Context::new().with_remote_span_context(sc);
                parents.push(Some(cx.clone()));
                parents.push(Some(cx.with_value(ForceTrace)));
            }
        }
        parents
    }

    fn decide(sampler: &impl ShouldSample, parent: Option<&Context>) -> SamplingResult {
        let trace_id = TraceId::from(0x0123_u128);
        sampler.should_sample(parent, trace_id, "span", &SpanKind::Internal, &[], &[])
    }

    #[test]
    fn answered_kinds_decide_as_the_sdk_samplers_they_stand_for() {
        for (kind, sdk) in [
            (SamplerKind::AlwaysOn, Sampler::AlwaysOn),
            (
                SamplerKind::ParentBasedAlwaysOn,
                Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
            ),
        ] {
            let ours = kind.sdk_sampler();
            let theirs = ForceTraceSampler::new(sdk);
            for parent in parents() {
                let (a, b) = (
                    decide(&ours, parent.as_ref()),
                    decide(&theirs, parent.as_ref()),
                );
                assert_eq!(a.decision, b.decision, "{kind:?} under {parent:?}");
                assert_eq!(a.trace_state, b.trace_state, "{kind:?} under {parent:?}");
                assert_eq!(a.attributes, b.attributes, "{kind:?} under {parent:?}");
            }
        }
    }

    #[test]
    fn force_trace_keeps_a_span_of_an_unsampled_parent() {
        let sampler = SamplerKind::ParentBasedAlwaysOn.sdk_sampler();
        let unsampled = parents()
            .into_iter()
            .flatten()
            .filter(|cx| cx.has_active_span() && !cx.span().span_context().is_sampled());
        let mut seen = 0;
        for cx in unsampled {
            let expected = match ForceTrace::is_set(&cx) {
                true => SamplingDecision::RecordAndSample,
                false => SamplingDecision::Drop,
            };
            assert_eq!(decide(&sampler, Some(&cx)).decision, expected);
            seen += 1;
        }
        assert_eq!(seen, 4);
    }
}
