//! What `parent = ...` and `follows_from = ...` accept.

use opentelemetry::Context;
use opentelemetry::trace::{Link, SpanContext, TraceContextExt as _};
use tracing::span::Id;

/// Where a span created with `parent = ...` hangs.
#[derive(Debug)]
pub enum Parent {
    /// A `tracing` span (or none: a new trace).
    Tracing(Option<Id>),
    /// An OpenTelemetry context, such as one extracted from incoming headers.
    Context(Context),
}

/// Values accepted by `parent = ...`.
pub trait IntoParent {
    /// Converts into a [`Parent`].
    fn into_parent(self) -> Parent;
}

impl IntoParent for &tracing::Span {
    fn into_parent(self) -> Parent {
        Parent::Tracing(self.id())
    }
}
impl IntoParent for tracing::Span {
    fn into_parent(self) -> Parent {
        Parent::Tracing(self.id())
    }
}
impl IntoParent for Option<Id> {
    fn into_parent(self) -> Parent {
        Parent::Tracing(self)
    }
}
impl IntoParent for &Option<Id> {
    fn into_parent(self) -> Parent {
        Parent::Tracing(self.clone())
    }
}
impl IntoParent for Id {
    fn into_parent(self) -> Parent {
        Parent::Tracing(Some(self))
    }
}
impl IntoParent for &Id {
    fn into_parent(self) -> Parent {
        Parent::Tracing(Some(self.clone()))
    }
}
impl IntoParent for Context {
    fn into_parent(self) -> Parent {
        Parent::Context(self)
    }
}
impl IntoParent for &Context {
    fn into_parent(self) -> Parent {
        Parent::Context(self.clone())
    }
}
impl IntoParent for SpanContext {
    fn into_parent(self) -> Parent {
        Parent::Context(Context::new().with_remote_span_context(self))
    }
}
impl IntoParent for &SpanContext {
    fn into_parent(self) -> Parent {
        Parent::Context(Context::new().with_remote_span_context(self.clone()))
    }
}

/// Values accepted by `follows_from = ...`: one span or context, or several.
pub trait IntoLinks {
    /// Converts into links; invalid span contexts are left out.
    fn into_links(self) -> Vec<Link>;
}

fn link_of_span(span: &tracing::Span) -> Option<Link> {
    crate::layer::link_to(&crate::span_access::context_of(span))
}

impl IntoLinks for &tracing::Span {
    fn into_links(self) -> Vec<Link> {
        link_of_span(self).into_iter().collect()
    }
}
impl IntoLinks for tracing::Span {
    fn into_links(self) -> Vec<Link> {
        link_of_span(&self).into_iter().collect()
    }
}
impl IntoLinks for &Context {
    fn into_links(self) -> Vec<Link> {
        crate::layer::link_to(self).into_iter().collect()
    }
}
impl IntoLinks for Context {
    fn into_links(self) -> Vec<Link> {
        crate::layer::link_to(&self).into_iter().collect()
    }
}
impl IntoLinks for SpanContext {
    fn into_links(self) -> Vec<Link> {
        self.is_valid()
            .then(|| Link::with_context(self))
            .into_iter()
            .collect()
    }
}
impl IntoLinks for &SpanContext {
    fn into_links(self) -> Vec<Link> {
        self.clone().into_links()
    }
}
impl<T: IntoLinks> IntoLinks for Option<T> {
    fn into_links(self) -> Vec<Link> {
        self.map(IntoLinks::into_links).unwrap_or_default()
    }
}
impl<T: IntoLinks> IntoLinks for Vec<T> {
    fn into_links(self) -> Vec<Link> {
        self.into_iter().flat_map(IntoLinks::into_links).collect()
    }
}
impl<T: IntoLinks, const N: usize> IntoLinks for [T; N] {
    fn into_links(self) -> Vec<Link> {
        self.into_iter().flat_map(IntoLinks::into_links).collect()
    }
}
impl<'a, T> IntoLinks for &'a [T]
where
    &'a T: IntoLinks,
{
    fn into_links(self) -> Vec<Link> {
        self.iter().flat_map(IntoLinks::into_links).collect()
    }
}
