//! The bridge from `tracing` spans to OpenTelemetry spans.
//!
//! Unlike a layer that collects fields and builds the OpenTelemetry span when the tracing span
//! closes, this one starts the SDK span eagerly, in `on_new_span`: the sampler decides once,
//! with the name, kind, attributes and links the span was created with, and an unsampled
//! span never has its later fields, events or status visited at all.
//!
//! Told the provider's sampler ([`TracedLayer::with_sampler`]), the layer takes that
//! decision itself, before anything is built (none of the standard samplers reads a span's
//! name, kind or attributes): a dropped span is a span context with ids of ours, never an
//! SDK span, and a plain `#[traced]` span may not be created at all
//! ([`TracedLayer::skip_unsampled`]).

use std::borrow::Cow;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use opentelemetry::trace::{
    Link, Span as _, SpanBuilder, SpanContext, SpanKind, Status, TraceContextExt as _, TraceFlags,
    TraceId, TraceState, Tracer as _,
};
use opentelemetry::{Context, Key, KeyValue, Value};
use opentelemetry_sdk::trace::SdkTracer;
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Level, LevelFilter, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::Context as LayerContext;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::entered;
use crate::sampling::{Presampled, SamplerKind, ids};
use crate::span_start;

/// A [`tracing_subscriber::Layer`] that turns every `tracing` span into an OpenTelemetry span
/// of the given SDK tracer, and every `tracing` event of INFO or more severe inside a span
/// into a span event (see [`TracedLayer::with_event_level`]).
///
/// Put it on a [`tracing_subscriber::Registry`]. The attributes of this crate create spans
/// that it understands fully (kind, dynamic names, remote parents, links, errors); plain
/// `#[tracing::instrument]` spans are exported too and nest with ours both ways. The fields
/// `otel.name`, `otel.kind` and `otel.status_code` / `otel.status_description` are understood
/// for code that migrates from `tracing-opentelemetry`.
///
/// A span created where the current OpenTelemetry context suppresses telemetry
/// ([`Context::enter_telemetry_suppressed_scope`], as the SDK's processors do around an
/// export) is not recorded, nor are its children or the events in it: the pipeline's own
/// work, an exporter's requests traced with `tracing`, does not feed back into it. The SDK
/// span of a `tracing` span ends when the Registry drops the span's data, right after the
/// layers' `on_close`.
///
/// ```
/// use opentelemetry::trace::TracerProvider as _;
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
/// let subscriber = tracing_subscriber::registry()
///     .with(traced::TracedLayer::new(provider.tracer("my-service")));
/// tracing::subscriber::with_default(subscriber, || {
///     let _span = tracing::info_span!("work").entered();
/// });
/// ```
#[derive(Debug, Clone)]
pub struct TracedLayer {
    tracer: SdkTracer,
    sampler: Option<SamplerKind>,
    /// This layer's number in the per-thread record of entered spans (set when it is put
    /// on a subscriber).
    instance: u64,
    /// Whether the layer keeps the per-thread record of entered spans: only a sampler that
    /// may drop spans reads it (set when the layer is put on a subscriber).
    tracks_entered: bool,
    /// Spans of a level that this filter does not enable may be left out when the sampler
    /// drops them (see [`TracedLayer::skip_unsampled`]).
    skip_unsampled: Option<LevelFilter>,
    /// The most verbose events recorded as span events.
    event_level: LevelFilter,
    /// Cleared when the provider turns out not to take the trace ids the layer sampled
    /// roots on (it does not use [`TracedIdGenerator`](crate::sampling::TracedIdGenerator)).
    ratio_roots: Arc<AtomicBool>,
}

impl TracedLayer {
    /// A layer that starts its spans with `tracer`.
    pub fn new(tracer: SdkTracer) -> Self {
        Self {
            tracer,
            sampler: None,
            instance: 0,
            tracks_entered: false,
            skip_unsampled: None,
            event_level: LevelFilter::INFO,
            ratio_roots: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Which `tracing` events written inside a recorded span become its span events: those
    /// at `level` or more severe (default INFO, the level `RUST_LOG` shows by default;
    /// `LevelFilter::OFF` records none). Libraries write DEBUG and TRACE events on every
    /// request (hyper-util's connection pool several for each client call): recorded, they
    /// crowd the spans and cost more than the spans themselves.
    ///
    /// When the layer also knows what the other layers show ([`TracedLayer::skip_unsampled`]),
    /// an event that neither it records nor they show is turned off where it is written, as
    /// a subscriber-wide filter would: it costs a level check.
    ///
    /// ```
    /// # use opentelemetry::trace::TracerProvider as _;
    /// use tracing_subscriber::filter::LevelFilter;
    ///
    /// # let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    /// let layer = traced::TracedLayer::new(provider.tracer("app"))
    ///     .with_event_level(LevelFilter::DEBUG);
    /// # drop(layer);
    /// ```
    pub fn with_event_level(mut self, level: LevelFilter) -> Self {
        self.event_level = level;
        self
    }

    /// Whether an event of `level` becomes a span event.
    fn records_event(&self, level: &Level) -> bool {
        *level <= self.event_level
    }

    /// Whether `metadata` is an event that this layer does not record and that, as it was
    /// told, no other layer shows. Only when told (see [`TracedLayer::skip_unsampled`]) may
    /// the layer turn an event off for the whole subscriber: otherwise it would hide the
    /// event from the others. A span is never turned off here, and asks nothing more.
    fn turns_off(&self, metadata: &tracing_core::Metadata<'_>) -> bool {
        metadata.is_event() && self.turns_off_event(metadata.level())
    }

    /// [`TracedLayer::turns_off`] for an event of `level`. Out of line: inlined, it changed
    /// how the layer's span functions are compiled (26 instructions more a sampled span).
    #[inline(never)]
    fn turns_off_event(&self, level: &Level) -> bool {
        match self.skip_unsampled {
            Some(shown) => !self.records_event(level) && *level > shown,
            None => false,
        }
    }

    /// Tells the layer which sampler the tracer's provider has, so that the layer takes the
    /// decision first: a span that the sampler drops is never started in the SDK, and its
    /// fields are never visited. The provider must be built with
    /// [`SamplerKind::sdk_sampler`] of the same kind (and, for ratios,
    /// [`TracedIdGenerator`](crate::sampling::TracedIdGenerator)); see there for an
    /// example. [`traced::init!`](crate::init!) does this for you.
    pub fn with_sampler(mut self, sampler: SamplerKind) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Lets the attributes leave out, entirely, a `#[traced]` span that the sampler (given
    /// with [`TracedLayer::with_sampler`]) drops: no `tracing` span is created for it, so it
    /// costs a sampling decision and nothing else. Its children and outgoing requests
    /// still continue its trace, unsampled.
    ///
    /// Other layers of the subscriber would not see such a span either (no name or fields
    /// in log lines), so pass the most verbose level at which any other layer shows spans
    /// or events: only spans more verbose than that are left out (and events more verbose
    /// than that and than [`TracedLayer::with_event_level`], which nobody would read).
    /// `LevelFilter::OFF` when this layer is alone on its `Registry`;
    /// [`traced::init!`](crate::init!) passes its log filter's.
    ///
    /// ```
    /// # use opentelemetry::trace::TracerProvider as _;
    /// use traced::sampling::SamplerKind;
    /// use tracing_subscriber::filter::LevelFilter;
    ///
    /// let kind = SamplerKind::ParentBasedTraceIdRatio(0.01);
    /// # let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
    /// #     .with_sampler(kind.sdk_sampler()).build();
    /// let layer = traced::TracedLayer::new(provider.tracer("app"))
    ///     .with_sampler(kind)
    ///     .skip_unsampled(LevelFilter::OFF);
    /// # drop(layer);
    /// ```
    pub fn skip_unsampled(mut self, shown_by_other_layers: LevelFilter) -> Self {
        self.skip_unsampled = Some(shown_by_other_layers);
        self
    }

    /// The sampler's decision for a span started in `parent`, if the layer knows the sampler.
    pub(crate) fn presample(&self, parent: &Context) -> Option<Presampled> {
        match self.sampler? {
            // Every span is sampled: nothing to read, not even the parent.
            SamplerKind::AlwaysOn => Some(Presampled::Sample(None)),
            sampler => Some(sampler.presample(parent, self.ratio_roots.load(Ordering::Relaxed))),
        }
    }

    /// Keeps a span that is not recorded as only its span context, in `cx` (what its
    /// children start in), and notes it as dropped for the per-thread record.
    fn keep_dropped<S>(&self, span: &SpanRef<'_, S>, id: &Id, sc: SpanContext, cx: Context)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        span.extensions_mut()
            .insert(OtelSpan::new(SpanHandle::Dropped(sc), cx));
        entered::created(self.instance, id.into_u64(), entered::Decided::Dropped);
    }

    /// Whether a span started in the current context is known to be sampled: every span is
    /// under `AlwaysOn`; under another sampler, when the innermost span entered on this
    /// thread is this layer's and sampled (a child decides as its parent did).
    pub(crate) fn innermost_sampled(&self) -> bool {
        match self.sampler {
            // Every span is sampled: nothing to look up (and nothing recorded to read).
            Some(sampler) if !sampler.may_drop() => true,
            Some(_) => entered::innermost(self.instance) == Some(entered::Decided::Sampled),
            None => false,
        }
    }

    /// Whether a span of `level` about to be created in the current context is one the
    /// sampler drops and that may be left out; what it then runs in.
    pub(crate) fn skip(&self, dispatch: &tracing::Dispatch, level: Level) -> Option<Skipped> {
        let sampler = self.sampler?;
        if level <= self.skip_unsampled? || !sampler.may_drop() {
            // Shown elsewhere, or never dropped (force trace only adds to what is kept).
            return None;
        }
        // A child decides as its parent did, under every standard sampler.
        match entered::innermost(self.instance) {
            Some(entered::Decided::Dropped) => return Some(Skipped { root: None }),
            Some(entered::Decided::Sampled) => return None,
            _ => {}
        }
        let registry = dispatch.downcast_ref::<Registry>()?;
        let ratio_roots = self.ratio_roots.load(Ordering::Relaxed);
        let current = match entered::nothing_entered() {
            true => None,
            false => registry.current_span().id().cloned(),
        };
        if let Some(id) = &current {
            let span = registry.span(id)?;
            let extensions = span.extensions();
            if let Some(otel) = extensions.get::<OtelSpan>() {
                // Children of an unsampled span are dropped as it is: they run in its
                // context, which is already current.
                return match sampler.presample(otel.context_ref(), ratio_roots) {
                    Presampled::Drop(_) => Some(Skipped { root: None }),
                    Presampled::Sample(_) => None,
                };
            }
        }
        let parent = Context::current();
        let Presampled::Drop(trace_id) = sampler.presample(&parent, ratio_roots) else {
            return None;
        };
        if parent.has_active_span() {
            // Children of an unsampled span are dropped as it is: they run in its context.
            return Some(Skipped { root: None });
        }
        let sc = dropped_span_context(trace_id, TraceState::default());
        Some(Skipped {
            root: Some(parent.with_remote_span_context(sc)),
        })
    }
}

/// Set, for the rest of the process, once a layer that may leave spans out is put on a
/// subscriber: until then the attributes need not look for one (with an `AlwaysOn`
/// sampler, or `skip_unsampled` not asked for, they never do).
static SKIPPING: AtomicBool = AtomicBool::new(false);

/// Whether some layer of the process may leave spans out (see [`SKIPPING`]).
#[inline]
pub(crate) fn skipping() -> bool {
    SKIPPING.load(Ordering::Relaxed)
}

/// Runs `f` on the current subscriber's `TracedLayer`, if it has one: what the attributes
/// ask the layer before a span exists.
#[inline]
pub(crate) fn with_current_layer<R>(
    mut f: impl FnMut(&TracedLayer, &tracing::Dispatch) -> Option<R>,
) -> Option<R> {
    tracing::dispatcher::get_default(|dispatch| {
        f(dispatch.downcast_ref::<TracedLayer>()?, dispatch)
    })
}

/// The span context of a span the sampler dropped: our own span id, no flags.
fn dropped_span_context(trace_id: TraceId, trace_state: TraceState) -> SpanContext {
    SpanContext::new(
        trace_id,
        ids::span_id(),
        TraceFlags::default(),
        false,
        trace_state,
    )
}

/// A span left out because the sampler drops it. A root gets a context of its own (a new
/// trace, unsampled), made current while its function runs; any other runs in its
/// parent's, which is already current.
#[derive(Debug)]
pub struct Skipped {
    pub(crate) root: Option<Context>,
}

/// The OpenTelemetry side of a span: started in the SDK, or dropped by the sampler before
/// the SDK was asked (then it is only a span context, so that children and outgoing
/// requests still continue its trace, unsampled).
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "boxing the SDK span costs every sampled span an allocation; a dropped one only copies the few hundred bytes once"
)]
pub(crate) enum SpanHandle {
    /// Held by value: the extension map boxes what it holds anyway, and a span is ended
    /// in place, never moved out of it, so a box of its own would only cost an allocation.
    Sdk(opentelemetry_sdk::trace::Span),
    Dropped(SpanContext),
}

impl opentelemetry::trace::Span for SpanHandle {
    fn add_event_with_timestamp<T>(
        &mut self,
        name: T,
        timestamp: std::time::SystemTime,
        attributes: Vec<KeyValue>,
    ) where
        T: Into<Cow<'static, str>>,
    {
        if let SpanHandle::Sdk(span) = self {
            span.add_event_with_timestamp(name, timestamp, attributes);
        }
    }

    fn span_context(&self) -> &SpanContext {
        match self {
            SpanHandle::Sdk(span) => span.span_context(),
            SpanHandle::Dropped(sc) => sc,
        }
    }

    fn is_recording(&self) -> bool {
        match self {
            SpanHandle::Sdk(span) => span.is_recording(),
            SpanHandle::Dropped(_) => false,
        }
    }

    fn set_attribute(&mut self, attribute: KeyValue) {
        if let SpanHandle::Sdk(span) = self {
            span.set_attribute(attribute);
        }
    }

    fn set_status(&mut self, status: Status) {
        if let SpanHandle::Sdk(span) = self {
            span.set_status(status);
        }
    }

    fn update_name<T>(&mut self, new_name: T)
    where
        T: Into<Cow<'static, str>>,
    {
        if let SpanHandle::Sdk(span) = self {
            span.update_name(new_name);
        }
    }

    fn add_link(&mut self, span_context: SpanContext, attributes: Vec<KeyValue>) {
        if let SpanHandle::Sdk(span) = self {
            span.add_link(span_context, attributes);
        }
    }

    fn end(&mut self) {
        // Not the trait's default: a dropped span reads no clock.
        if let SpanHandle::Sdk(span) = self {
            span.end();
        }
    }

    fn end_with_timestamp(&mut self, timestamp: std::time::SystemTime) {
        if let SpanHandle::Sdk(span) = self {
            span.end_with_timestamp(timestamp);
        }
    }
}

/// What the layer keeps in a tracing span's extensions.
pub(crate) struct OtelSpan {
    pub(crate) span: SpanHandle,
    /// The context the span was started in; its entries (baggage, trace state, force
    /// trace) are its children's too.
    parent: Context,
    /// `parent` with this span in it, made when first asked for (by a child or an outgoing
    /// request): a span without either never pays for it.
    cx: OnceLock<Context>,
}

impl OtelSpan {
    fn new(span: SpanHandle, parent: Context) -> Self {
        Self {
            span,
            parent,
            cx: OnceLock::new(),
        }
    }

    /// The context children are started in: the parent's context with this span in it.
    pub(crate) fn context(&self) -> Context {
        self.context_ref().clone()
    }

    /// The context the span was started in.
    pub(crate) fn parent_context(&self) -> Context {
        self.parent.clone()
    }

    fn context_ref(&self) -> &Context {
        self.cx.get_or_init(|| {
            self.parent
                .with_remote_span_context(self.span.span_context().clone())
        })
    }
}

/// What a response adds to a server or client span: its status code, the protocol version
/// or `error.type`.
const RESPONSE_ATTRIBUTES: usize = 2;
/// What a client span's first send adds: the request's method, URL, address, port, scheme,
/// template, resend count, and then the response.
const CLIENT_LATER_ATTRIBUTES: usize = 8 + RESPONSE_ATTRIBUTES;

const NAME_FIELD: &str = "otel.name";
const KIND_FIELD: &str = "otel.kind";
const STATUS_CODE_FIELD: &str = "otel.status_code";
const STATUS_DESCRIPTION_FIELD: &str = "otel.status_description";

/// Fields that steer the span instead of becoming attributes.
#[derive(Default)]
struct SpanOverrides {
    name: Option<String>,
    kind: Option<SpanKind>,
    status_code: Option<String>,
    status_description: Option<String>,
}

impl SpanOverrides {
    /// Takes a field as an override when its name is one; returns whether it was.
    fn take_str(&mut self, field: &str, value: &str) -> bool {
        // Every override starts with "otel."; one comparison rejects all other fields.
        if !field.starts_with("otel.") {
            return false;
        }
        match field {
            NAME_FIELD => self.name = Some(value.to_owned()),
            KIND_FIELD => self.kind = parse_kind(value),
            STATUS_CODE_FIELD => self.status_code = Some(value.to_owned()),
            STATUS_DESCRIPTION_FIELD => self.status_description = Some(value.to_owned()),
            _ => return false,
        }
        true
    }

    fn status(&self) -> Option<Status> {
        let code = self.status_code.as_deref()?;
        if code.eq_ignore_ascii_case("error") {
            Some(Status::error(
                self.status_description.clone().unwrap_or_default(),
            ))
        } else if code.eq_ignore_ascii_case("ok") {
            Some(Status::Ok)
        } else {
            None
        }
    }
}

fn parse_kind(value: &str) -> Option<SpanKind> {
    Some(match value {
        "internal" | "INTERNAL" => SpanKind::Internal,
        "server" | "SERVER" => SpanKind::Server,
        "client" | "CLIENT" => SpanKind::Client,
        "producer" | "PRODUCER" => SpanKind::Producer,
        "consumer" | "CONSUMER" => SpanKind::Consumer,
        _ => return None,
    })
}

/// Collects tracing field values as OpenTelemetry attributes, with the types OpenTelemetry
/// has: integers stay integers (`u64` beyond `i64::MAX` becomes a string), `%` and `?` values
/// become strings.
pub(crate) struct AttributeVisitor<'a> {
    pub(crate) attributes: &'a mut Vec<KeyValue>,
    overrides: Option<&'a mut SpanOverrides>,
    /// The `message` field of an event, which names the event instead.
    pub(crate) message: Option<String>,
}

impl<'a> AttributeVisitor<'a> {
    pub(crate) fn new(attributes: &'a mut Vec<KeyValue>) -> Self {
        Self {
            attributes,
            overrides: None,
            message: None,
        }
    }

    fn push(&mut self, field: &tracing_core::Field, value: Value) {
        self.attributes
            .push(KeyValue::new(Key::from_static_str(field.name()), value));
    }
}

impl tracing_core::field::Visit for AttributeVisitor<'_> {
    fn record_f64(&mut self, field: &tracing_core::Field, value: f64) {
        self.push(field, Value::F64(value));
    }

    fn record_i64(&mut self, field: &tracing_core::Field, value: i64) {
        self.push(field, Value::I64(value));
    }

    fn record_u64(&mut self, field: &tracing_core::Field, value: u64) {
        match i64::try_from(value) {
            Ok(value) => self.push(field, Value::I64(value)),
            Err(_) => self.push(field, Value::String(value.to_string().into())),
        }
    }

    fn record_i128(&mut self, field: &tracing_core::Field, value: i128) {
        match i64::try_from(value) {
            Ok(value) => self.push(field, Value::I64(value)),
            Err(_) => self.push(field, Value::String(value.to_string().into())),
        }
    }

    fn record_u128(&mut self, field: &tracing_core::Field, value: u128) {
        match i64::try_from(value) {
            Ok(value) => self.push(field, Value::I64(value)),
            Err(_) => self.push(field, Value::String(value.to_string().into())),
        }
    }

    fn record_bool(&mut self, field: &tracing_core::Field, value: bool) {
        self.push(field, Value::Bool(value));
    }

    fn record_str(&mut self, field: &tracing_core::Field, value: &str) {
        if let Some(overrides) = self.overrides.as_deref_mut()
            && overrides.take_str(field.name(), value)
        {
            return;
        }
        if field.name() == "message" {
            self.message = Some(value.to_owned());
            return;
        }
        self.push(field, Value::String(value.to_owned().into()));
    }

    fn record_error(
        &mut self,
        field: &tracing_core::Field,
        value: &(dyn std::error::Error + 'static),
    ) {
        self.push(field, Value::String(value.to_string().into()));
    }

    fn record_debug(&mut self, field: &tracing_core::Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        self.record_str(field, &text);
    }
}

/// The context a new span starts in: its parent's, as the Registry recorded it (the
/// explicit parent, or the current span for a contextual one); for a contextual span with
/// no parent span, the current OpenTelemetry context (spans of code that uses the
/// OpenTelemetry API, or a root left out by the sampler). With it, whether it is the
/// current context.
fn parent_context<S>(attrs: &Attributes<'_>, span: &SpanRef<'_, S>) -> (Context, bool)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    if let Some(parent) = span.parent() {
        let extensions = parent.extensions();
        if let Some(otel) = extensions.get::<OtelSpan>() {
            return (otel.context(), false);
        }
    }
    match attrs.is_contextual() {
        true => (Context::current(), true),
        false => (Context::new(), false),
    }
}

fn context_of_span<S>(ctx: &LayerContext<'_, S>, id: &Id) -> Option<Context>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let span = ctx.span(id)?;
    let extensions = span.extensions();
    extensions.get::<OtelSpan>().map(OtelSpan::context)
}

impl<S> tracing_subscriber::Layer<S> for TracedLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(
        &self,
        metadata: &'static tracing_core::Metadata<'static>,
    ) -> tracing_core::Interest {
        match self.turns_off(metadata) {
            true => tracing_core::Interest::never(),
            false => tracing_core::Interest::always(),
        }
    }

    fn enabled(&self, metadata: &tracing_core::Metadata<'_>, _ctx: LayerContext<'_, S>) -> bool {
        // The same answer where another subscriber of the process shares the callsite and
        // its cached interest is not ours alone.
        !self.turns_off(metadata)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let Some(span_ref) = ctx.span(id) else {
            return;
        };
        let mut start = span_start::take();
        let (parent_cx, is_current) = match start.as_mut().and_then(|s| s.parent.take()) {
            Some(cx) => (cx, false),
            None => parent_context(attrs, &span_ref),
        };
        // A parent that is the current context says it itself, with no second look.
        let suppressed = match is_current {
            true => parent_cx.is_telemetry_suppressed(),
            false => Context::is_current_telemetry_suppressed(),
        };

        if suppressed {
            // The telemetry pipeline's own work (an exporter's requests, under the SDK's
            // suppression): recording it would feed it back into the pipeline. Neither
            // this span nor, as they run in its context, its children are recorded.
            let cx = parent_cx.with_telemetry_suppressed();
            self.keep_dropped(&span_ref, id, SpanContext::empty_context(), cx);
            span_start::recycle(start);
            return;
        }

        let mut preset = None;
        let decided = start.as_mut().and_then(|start| start.decision.take());
        if let Some(decision) = decided.or_else(|| self.presample(&parent_cx)) {
            match decision {
                Presampled::Drop(trace_id) => {
                    let trace_state = parent_cx.span().span_context().trace_state().clone();
                    let sc = dropped_span_context(trace_id, trace_state);
                    self.keep_dropped(&span_ref, id, sc, parent_cx);
                    span_start::recycle(start);
                    return;
                }
                Presampled::Sample(trace_id) => preset = trace_id,
            }
        }

        // The creation attributes' vector (a server span starts with a dozen) takes the
        // fields too, and room for what the span is told later, so that the SDK does not
        // grow it while the request runs: a response's status and, for a client whose first
        // send names its request, that request.
        let mut attributes = start
            .as_mut()
            .map_or_else(Vec::new, |start| std::mem::take(&mut start.attributes));
        let given = attributes.len();
        let later = match start.as_ref().and_then(|start| start.kind.as_ref()) {
            Some(SpanKind::Client | SpanKind::Server) => RESPONSE_ATTRIBUTES,
            _ => 0,
        };
        let room = attrs.fields().len() + later;
        if room > 0 {
            attributes.reserve(room);
        }
        // A span without fields (a plain `#[traced]` function) has nothing to visit, and
        // so no name, kind or status of its own.
        let mut overrides = SpanOverrides::default();
        let mut status = None;
        if !attrs.fields().is_empty() {
            let mut visitor = AttributeVisitor {
                attributes: &mut attributes,
                overrides: Some(&mut overrides),
                message: None,
            };
            attrs.record(&mut visitor);
            status = overrides.status();
        }
        if given > 0 {
            // The fields first, as they were declared, then the creation attributes.
            attributes.rotate_left(given);
        }

        let name: Cow<'static, str> = match overrides.name.take() {
            Some(name) => name.into(),
            None => start
                .as_mut()
                .and_then(|start| start.name.take())
                .unwrap_or(Cow::Borrowed(attrs.metadata().name())),
        };
        let kind = overrides
            .kind
            .take()
            .or_else(|| start.as_ref().and_then(|s| s.kind.clone()))
            .unwrap_or(SpanKind::Internal);
        if kind == SpanKind::Client && given == 0 {
            attributes.reserve(CLIENT_LATER_ATTRIBUTES);
        }
        let mut builder = SpanBuilder::from_name(name).with_kind(kind);
        if let Some(start) = start.as_mut() {
            builder.start_time = start.start_time;
            builder.links = Some(std::mem::take(&mut start.links)).filter(|l| !l.is_empty());
        }
        span_start::recycle(start);
        builder.attributes = Some(attributes);
        // Nothing to clear otherwise: a preset id is taken right after the start below.
        if preset.is_some() {
            ids::preset(preset);
        }
        let mut span = self.tracer.build_with_context(builder, &parent_cx);
        if let Some(trace_id) = preset
            && ids::take_preset().is_some() | (span.span_context().trace_id() != trace_id)
        {
            // The provider made its own trace id, and decided on it: from now on, leave
            // ratio roots to it alone.
            self.ratio_roots.store(false, Ordering::Relaxed);
        }
        if let Some(status) = status {
            span.set_status(status);
        }
        // Only a sampled span is known to have sampled children (a recorded but unsampled
        // one, from another sampler, is left to the look-up).
        let decided = match span.span_context().is_sampled() {
            true => entered::Decided::Sampled,
            false => entered::Decided::Unknown,
        };
        span_ref
            .extensions_mut()
            .insert(OtelSpan::new(SpanHandle::Sdk(span), parent_cx));
        if self.tracks_entered {
            entered::created(self.instance, id.into_u64(), decided);
        }
    }

    fn on_layer(&mut self, _subscriber: &mut S) {
        self.instance = entered::new_instance();
        self.tracks_entered = self.sampler.is_some_and(SamplerKind::may_drop);
        // It may leave spans out when asked to and its sampler may drop (as for the record).
        if self.skip_unsampled.is_some() && self.tracks_entered {
            SKIPPING.store(true, Ordering::Relaxed);
        }
    }

    fn on_enter(&self, id: &Id, _ctx: LayerContext<'_, S>) {
        if self.tracks_entered {
            entered::enter(self.instance, id.into_u64());
        }
    }

    fn on_exit(&self, id: &Id, _ctx: LayerContext<'_, S>) {
        if self.tracks_entered {
            entered::exit(self.instance, id.into_u64());
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: LayerContext<'_, S>) {
        let Some(span_ref) = ctx.span(id) else {
            return;
        };
        let mut extensions = span_ref.extensions_mut();
        let Some(otel) = extensions.get_mut::<OtelSpan>() else {
            return;
        };
        if !otel.span.is_recording() {
            return;
        }
        let mut attributes = Vec::new();
        let mut overrides = SpanOverrides::default();
        let mut visitor = AttributeVisitor {
            attributes: &mut attributes,
            overrides: Some(&mut overrides),
            message: None,
        };
        values.record(&mut visitor);
        if let Some(name) = overrides.name.take() {
            otel.span.update_name(name);
        }
        if let Some(status) = overrides.status() {
            otel.span.set_status(status);
        }
        for attribute in attributes {
            otel.span.set_attribute(attribute);
        }
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: LayerContext<'_, S>) {
        let Some(target) = context_of_span(&ctx, follows) else {
            return;
        };
        let Some(span_ref) = ctx.span(id) else {
            return;
        };
        let mut extensions = span_ref.extensions_mut();
        if let Some(otel) = extensions.get_mut::<OtelSpan>() {
            let linked = target.span().span_context().clone();
            if linked.is_valid() {
                otel.span.add_link(linked, Vec::new());
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        if !self.records_event(event.metadata().level()) {
            return;
        }
        let Some(span_ref) = ctx.event_span(event) else {
            return;
        };
        let mut extensions = span_ref.extensions_mut();
        let Some(otel) = extensions.get_mut::<OtelSpan>() else {
            return;
        };
        // Nor is an event of the pipeline's own work (the SDK's internal logs).
        if !otel.span.is_recording() || Context::is_current_telemetry_suppressed() {
            return;
        }
        let mut attributes = Vec::with_capacity(event.fields().count());
        let mut visitor = AttributeVisitor::new(&mut attributes);
        event.record(&mut visitor);
        let name = visitor
            .message
            .take()
            .map(Cow::Owned)
            .unwrap_or(Cow::Borrowed(event.metadata().name()));
        otel.span.add_event(name, attributes);
    }

    fn on_close(&self, id: Id, _ctx: LayerContext<'_, S>) {
        // Nothing to look up: the SDK span ends when it is dropped, and the Registry drops
        // the span's extensions when it clears its slot, right after every layer's
        // `on_close` (later only while another thread still reads the span).
        entered::closed(id.into_u64());
    }
}

/// Builds a link to `cx`'s span, or nothing when it holds no valid span.
pub(crate) fn link_to(cx: &Context) -> Option<Link> {
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| Link::with_context(sc))
}
