//! The bridge from `tracing` spans to OpenTelemetry spans.
//!
//! Unlike a layer that collects fields and builds the OpenTelemetry span when the tracing span
//! closes, this one starts the SDK span eagerly, in `on_new_span`: the sampler decides once,
//! with the name, kind, attributes and links the span was created with, and an unsampled
//! span never has its later fields, events or status visited at all.

use std::borrow::Cow;

use opentelemetry::trace::{
    Link, Span as _, SpanBuilder, SpanKind, Status, TraceContextExt as _, Tracer as _,
};
use opentelemetry::{Context, Key, KeyValue, Value};
use opentelemetry_sdk::trace::SdkTracer;
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::layer::Context as LayerContext;
use tracing_subscriber::registry::LookupSpan;

use crate::span_start;

/// A [`tracing_subscriber::Layer`] that turns every `tracing` span into an OpenTelemetry span
/// of the given SDK tracer, and every `tracing` event inside a span into a span event.
///
/// Put it on a [`tracing_subscriber::Registry`]. The attributes of this crate create spans
/// that it understands fully (kind, dynamic names, remote parents, links, errors); plain
/// `#[tracing::instrument]` spans are exported too and nest with ours both ways. The fields
/// `otel.name`, `otel.kind` and `otel.status_code` / `otel.status_description` are understood
/// for code that migrates from `tracing-opentelemetry`.
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
}

impl TracedLayer {
    /// A layer that starts its spans with `tracer`.
    pub fn new(tracer: SdkTracer) -> Self {
        Self { tracer }
    }
}

/// What the layer keeps in a tracing span's extensions.
pub(crate) struct OtelSpan {
    pub(crate) span: opentelemetry_sdk::trace::Span,
    /// The context children are started in: the parent's context with this span in it.
    pub(crate) cx: Context,
}

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

impl TracedLayer {
    fn parent_context<S>(&self, attrs: &Attributes<'_>, ctx: &LayerContext<'_, S>) -> Context
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        if let Some(parent) = attrs.parent() {
            return context_of_span(ctx, parent).unwrap_or_default();
        }
        if attrs.is_contextual() {
            return ctx
                .lookup_current()
                .and_then(|span| span.extensions().get::<OtelSpan>().map(|o| o.cx.clone()))
                .unwrap_or_else(Context::current);
        }
        Context::new()
    }
}

fn context_of_span<S>(ctx: &LayerContext<'_, S>, id: &Id) -> Option<Context>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let span = ctx.span(id)?;
    let extensions = span.extensions();
    extensions.get::<OtelSpan>().map(|o| o.cx.clone())
}

impl<S> tracing_subscriber::Layer<S> for TracedLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let Some(span_ref) = ctx.span(id) else {
            return;
        };
        let start = span_start::take();
        let parent_cx = match start.as_ref().and_then(|s| s.parent.clone()) {
            Some(cx) => cx,
            None => self.parent_context(attrs, &ctx),
        };

        let mut attributes = Vec::with_capacity(attrs.fields().len());
        let mut overrides = SpanOverrides::default();
        let mut visitor = AttributeVisitor {
            attributes: &mut attributes,
            overrides: Some(&mut overrides),
            message: None,
        };
        attrs.record(&mut visitor);

        let name: Cow<'static, str> = match (&start, overrides.name.take()) {
            (_, Some(name)) => name.into(),
            (Some(start), None) if start.name.is_some() => start.name.clone().unwrap_or_default(),
            _ => Cow::Borrowed(attrs.metadata().name()),
        };
        let status = overrides.status();
        let kind = overrides
            .kind
            .take()
            .or_else(|| start.as_ref().and_then(|s| s.kind.clone()))
            .unwrap_or(SpanKind::Internal);
        let mut builder = SpanBuilder::from_name(name).with_kind(kind);
        if let Some(start) = start {
            attributes.extend(start.attributes);
            builder.start_time = start.start_time;
            builder.links = Some(start.links).filter(|links| !links.is_empty());
        }
        builder.attributes = Some(attributes);
        let mut span = self.tracer.build_with_context(builder, &parent_cx);
        if let Some(status) = status {
            span.set_status(status);
        }
        let cx = parent_cx.with_remote_span_context(span.span_context().clone());
        span_ref.extensions_mut().insert(OtelSpan { span, cx });
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
        let Some(span_ref) = ctx.event_span(event) else {
            return;
        };
        let mut extensions = span_ref.extensions_mut();
        let Some(otel) = extensions.get_mut::<OtelSpan>() else {
            return;
        };
        if !otel.span.is_recording() {
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

    fn on_close(&self, id: Id, ctx: LayerContext<'_, S>) {
        let Some(span_ref) = ctx.span(&id) else {
            return;
        };
        let otel = span_ref.extensions_mut().remove::<OtelSpan>();
        if let Some(mut otel) = otel {
            otel.span.end();
        }
    }
}

/// Builds a link to `cx`'s span, or nothing when it holds no valid span.
pub(crate) fn link_to(cx: &Context) -> Option<Link> {
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| Link::with_context(sc))
}
