//! What a span needs at creation that `tracing` fields cannot carry: a parent given as an
//! OpenTelemetry [`Context`] (a remote parent), links, a kind or a name computed at run time.
//!
//! The attribute's expansion puts them here right before it creates the span, and the layer
//! takes them in `on_new_span` of the very next span. Field values are evaluated before the
//! slot is filled, so no other span can be created in between on this thread; the slot is
//! emptied after creation whether or not a layer took it (a disabled span takes nothing).

use std::borrow::Cow;
use std::cell::Cell;

use std::time::SystemTime;

use opentelemetry::trace::{Link, SpanKind};
use opentelemetry::{Context, KeyValue};

use crate::sampling::Presampled;

/// Creation-time options for the next span created on this thread.
#[derive(Debug, Default)]
pub struct SpanStart {
    pub(crate) parent: Option<Context>,
    pub(crate) links: Vec<Link>,
    pub(crate) kind: Option<SpanKind>,
    pub(crate) name: Option<Cow<'static, str>>,
    pub(crate) attributes: Vec<KeyValue>,
    pub(crate) start_time: Option<SystemTime>,
    /// The sampling decision, when it was taken before the span's attributes were built
    /// (so that a dropped span's are not).
    pub(crate) decision: Option<Presampled>,
}

impl SpanStart {
    /// Starts the span under `cx`'s span (remote or local) instead of the current span.
    pub fn parent(mut self, cx: Context) -> Self {
        self.parent = Some(cx);
        self
    }

    /// Adds links, which the sampler sees.
    pub fn links(mut self, links: impl IntoIterator<Item = Link>) -> Self {
        self.links.extend(links);
        self
    }

    /// Sets the span kind.
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Names the span with a name known only at run time (which must still be of low
    /// cardinality, such as `GET /users/{id}`).
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds attributes the span starts with (samplers see them), beside its `tracing`
    /// fields. Keys here are not checked against the span's fields.
    pub fn attributes(mut self, attributes: impl IntoIterator<Item = KeyValue>) -> Self {
        self.attributes.extend(attributes);
        self
    }

    /// Starts the span with a sampling decision taken already (by [`decide`]).
    pub(crate) fn decided(mut self, decision: Option<Presampled>) -> Self {
        self.decision = decision;
        self
    }

    /// [`SpanStart::attributes`] for a vector made for this span: taken as it is.
    pub(crate) fn attribute_vec(mut self, mut attributes: Vec<KeyValue>) -> Self {
        if self.attributes.is_empty() {
            self.attributes = attributes;
        } else {
            self.attributes.append(&mut attributes);
        }
        self
    }

    /// Starts the span at `time` instead of now (a server span that began when the request
    /// arrived, before its body was read).
    pub fn start_time(mut self, time: SystemTime) -> Self {
        self.start_time = Some(time);
        self
    }

    /// Creates a span with `create` while these options are pending, so the span is started
    /// with them.
    #[inline]
    pub fn create(self, create: impl FnOnce() -> tracing::Span) -> tracing::Span {
        let boxed = match SPARE.try_with(Cell::take).ok().flatten() {
            Some(mut spare) => {
                *spare = self;
                spare
            }
            None => Box::new(self),
        };
        let previous = PENDING.with(|slot| slot.replace(Some(boxed)));
        let span = create();
        PENDING.with(|slot| slot.set(previous));
        span
    }
}

thread_local! {
    /// Boxed: every span's creation takes this slot, most find it empty, and an empty
    /// `Option<Box<_>>` is one word to move instead of the whole `SpanStart`.
    static PENDING: Cell<Option<Box<SpanStart>>> = const { Cell::new(None) };
    /// The box of the last options taken, given back by the layer: the next span's are
    /// moved into it instead of a new allocation.
    static SPARE: Cell<Option<Box<SpanStart>>> = const { Cell::new(None) };
}

/// Gives back the box of options the layer took, for the next span created on this
/// thread. What the layer left in it (a dropped span's attributes, links or name) is
/// dropped now, not kept until then.
pub(crate) fn recycle(start: Option<Box<SpanStart>>) {
    if let Some(mut start) = start {
        start.parent = None;
        start.links = Vec::new();
        start.name = None;
        start.attributes = Vec::new();
        let _ = SPARE.try_with(|spare| spare.set(Some(start)));
    }
}

/// The options of the span being created, if it was created through [`SpanStart::create`].
pub(crate) fn take() -> Option<Box<SpanStart>> {
    PENDING.try_with(Cell::take).ok().flatten()
}

/// The decision the current subscriber's [`TracedLayer`](crate::TracedLayer) takes for a span
/// started in `parent`, taken now so that what only a recorded span needs is not built for
/// one the sampler drops. `None` when no layer decides (build everything). Pass it on with
/// [`SpanStart::decided`], so that the layer does not decide again.
pub(crate) fn decide(parent: &Context) -> Option<Presampled> {
    crate::layer::with_current_layer(|layer, _| layer.presample(parent))
}

/// [`decide`] for a span started in the current context. Under a sampled span entered
/// here the answer is known without building that context (see `entered`).
pub(crate) fn decide_here() -> Option<Presampled> {
    crate::layer::with_current_layer(|layer, _| match layer.innermost_sampled() {
        true => Some(Presampled::Sample(None)),
        false => layer.presample(&crate::current_context()),
    })
}

/// Whether `decision` drops the span.
pub(crate) fn drops(decision: Option<Presampled>) -> bool {
    matches!(decision, Some(Presampled::Drop(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, TraceContextExt as _};

    /// What the layer does in `on_new_span`: takes the options, then gives the box back.
    fn taken_by_layer(options: SpanStart) -> Box<SpanStart> {
        let mut seen = None;
        options.create(|| {
            seen = take();
            tracing::Span::none()
        });
        seen.expect("the options were pending while the span was created")
    }

    #[test]
    fn a_reused_box_carries_nothing_of_the_last_span() {
        let parent = Context::new().with_remote_span_context(SpanContext::empty_context());
        let first = taken_by_layer(
            SpanStart::default()
                .kind(SpanKind::Server)
                .name("GET /first")
                .parent(parent)
                .attributes([KeyValue::new("first", 1_i64)])
                .start_time(SystemTime::UNIX_EPOCH),
        );
        let first_box: *const SpanStart = &*first;
        // The layer moved the parent out and left the rest, as it does for a name that a
        // field overrides.
        let mut first = first;
        assert!(first.parent.take().is_some());
        recycle(Some(first));

        let second = taken_by_layer(SpanStart::default().name("second"));
        assert_eq!(&*second as *const SpanStart, first_box, "the box is reused");
        assert_eq!(second.name.as_deref(), Some("second"));
        assert!(second.kind.is_none());
        assert!(second.parent.is_none());
        assert!(second.attributes.is_empty());
        assert!(second.start_time.is_none());
        assert!(second.links.is_empty());
        assert!(second.decision.is_none());
        recycle(Some(second));
    }

    #[test]
    fn options_nobody_takes_are_dropped_with_the_span_creation() {
        let span = SpanStart::default()
            .name("untaken")
            .create(tracing::Span::none);
        assert!(span.is_none());
        assert!(take().is_none(), "no options are left pending");
    }
}
