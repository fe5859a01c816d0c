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
    let _entered = span.enter();
    let mut body = Some(body);
    let mut value = None;
    recording_panics(span, &mut || {
        if let Some(body) = body.take() {
            value = Some(body());
        }
    });
    value.expect("the body returned")
}

/// Calls `f`; a panic is recorded on `span` and keeps unwinding. Not generic: the
/// unwinding machinery is compiled once, not once for every instrumented function.
#[inline(never)]
fn recording_panics(span: &tracing::Span, f: &mut dyn FnMut()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        crate::error_recording::record_panic(span, &*payload);
        resume_unwind(payload)
    }
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
        let span = this
            .span
            .as_ref()
            .expect("`Instrumented` polled after completion");
        // SAFETY: see above; `inner` stays where it is.
        let inner = unsafe { Pin::new_unchecked(&mut *this.inner) };
        if span.is_none() {
            // Nobody listens: no span to enter, no panic to record.
            let _attached = this.context.clone().map(opentelemetry::Context::attach);
            let output = std::task::ready!(inner.poll(cx));
            let span = this.span.take().expect("checked above");
            return Poll::Ready((output, span));
        }
        let entered = span.enter();
        let mut inner = Some(inner);
        let mut polled = Poll::Pending;
        recording_panics(span, &mut || {
            if let Some(inner) = inner.take() {
                polled = inner.poll(cx);
            }
        });
        drop(entered);
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(output) => {
                let span = this.span.take().expect("checked above");
                Poll::Ready((output, span))
            }
        }
    }
}

impl<F> Drop for Instrumented<F> {
    fn drop(&mut self) {
        // Whatever the body's locals log while they are dropped belongs to the span.
        let _entered = self.span.as_ref().map(tracing::Span::enter);
        // SAFETY: `inner` is dropped exactly once, here, in place.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}
