//! Running a function's body inside its span: entered on every poll (never held across an
//! `.await`), ended when the body finishes, is cancelled or panics.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs a synchronous body in `span`; a panic is recorded on the span and keeps unwinding.
#[inline]
pub fn in_span<R>(span: &tracing::Span, body: impl FnOnce() -> R) -> R {
    let mut body = Some(body);
    let mut value = None;
    run_entered(span, &mut || {
        if let Some(body) = body.take() {
            value = Some(body());
        }
    });
    value.expect("the body returned")
}

/// Calls `f` with `span` entered; a panic is recorded on `span` and keeps unwinding. Not
/// generic: entering and the unwinding machinery are compiled once, not once for every
/// instrumented function.
#[inline(never)]
fn run_entered(span: &tracing::Span, f: &mut dyn FnMut()) {
    let _entered = span.enter();
    recording_panics(span, f);
}

/// Calls `f`; a panic is recorded on `span` and keeps unwinding.
#[inline]
fn recording_panics(span: &tracing::Span, f: &mut dyn FnMut()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        crate::error_recording::record_panic(span, &*payload);
        resume_unwind(payload)
    }
}

/// One poll of an instrumented future, `poll` polling the body's future: in `span`
/// entered, or with `context` current when the span was left out. Not generic, as
/// [`run_entered`].
#[inline(never)]
fn poll_in(
    span: Option<&tracing::Span>,
    context: Option<&opentelemetry::Context>,
    poll: &mut dyn FnMut(),
) {
    let span = span.expect("`Instrumented` polled after completion");
    if span.is_none() {
        // Nobody listens: no span to enter, no panic to record.
        let _attached = context.cloned().map(opentelemetry::Context::attach);
        return poll();
    }
    run_entered(span, poll);
}

/// Enters `span`, if there is one, while an instrumented future is dropped.
#[inline(never)]
fn enter_for_drop(span: Option<&tracing::Span>) -> Option<tracing::span::Entered<'_>> {
    span.map(tracing::Span::enter)
}

/// A future run in a span. It yields the span back with the output, so that the caller can
/// record the outcome before the span ends; dropped early, it ends the span as cancelled
/// (no error).
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Instrumented<F> {
    inner: ManuallyDrop<F>,
    span: Option<tracing::Span>,
    /// For a span left out because the sampler drops it, the context its body runs in.
    context: Option<opentelemetry::Context>,
}

impl<F: Future> Instrumented<F> {
    /// Wraps `inner` to run in `span`.
    #[inline]
    pub fn new(inner: F, span: tracing::Span) -> Self {
        Self {
            inner: ManuallyDrop::new(inner),
            span: Some(span),
            context: None,
        }
    }

    /// Like [`Instrumented::new`]; when `span` was left out (see `skipped`), `context` is
    /// made current on every poll instead.
    #[inline]
    pub fn with_context(
        inner: F,
        span: tracing::Span,
        context: Option<opentelemetry::Context>,
    ) -> Self {
        Self {
            inner: ManuallyDrop::new(inner),
            span: Some(span),
            context,
        }
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = (F::Output, tracing::Span);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is never moved out of the pinned struct: it is polled in place
        // and dropped in place (in `Drop`), and `Instrumented` has no `Unpin` impl of its own.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `inner` stays where it is.
        let mut inner = unsafe { Pin::new_unchecked(&mut *this.inner) };
        // Only the poll of the body's future is generic; the rest is `poll_in`'s.
        let mut output = None;
        poll_in(this.span.as_ref(), this.context.as_ref(), &mut || {
            if let Poll::Ready(value) = inner.as_mut().poll(cx) {
                output = Some(value);
            }
        });
        match output {
            Some(output) => {
                let span = this.span.take().expect("polled before completion");
                Poll::Ready((output, span))
            }
            None => Poll::Pending,
        }
    }
}

impl<F> Drop for Instrumented<F> {
    fn drop(&mut self) {
        // Whatever the body's locals log while they are dropped belongs to the span.
        let _entered = enter_for_drop(self.span.as_ref());
        // SAFETY: `inner` is dropped exactly once, here, in place.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}
