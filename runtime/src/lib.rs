//! One-line distributed tracing with OpenTelemetry.
//!
//! Annotate a function and get an OpenTelemetry span with the right name, kind, attributes,
//! parent and error recording:
//!
//! ```
//! #[traced::traced(fields(order_id = id))]
//! fn load_order(id: u64) -> Result<String, std::io::Error> {
//!     Ok(format!("order {id}"))
//! }
//! # assert_eq!(load_order(7).unwrap(), "order 7");
//! ```
//!
//! Spans are `tracing` spans: install [`TracedLayer`] on a `tracing_subscriber::Registry` to
//! export them through an OpenTelemetry SDK tracer. `tracing` events inside them become span
//! events, and `#[tracing::instrument]` spans nest with them both ways.
//!
//! # What every attribute records
//! - A function that returns `Err(e)` (any `Result`, aliases included) ends its span with
//!   status Error (description: `e`'s `Display`), `error.type` (the error's type path, or its
//!   [`ErrorType`]) and an `exception` event with `exception.type`, `exception.message` and,
//!   when `e` has causes, the whole `source()` chain in `exception.stacktrace`. Errors that
//!   are not `std::error::Error` fall back to `Display`, then `Debug`.
//! - A panic ends the span with status Error and an `exception` event (the panic message),
//!   then keeps unwinding.
//! - Status Ok is never set: the OpenTelemetry specification leaves it to the application.
//! - Arguments are never recorded unless asked for (`fields(...)`, `args`).

#![cfg_attr(docsrs, feature(doc_cfg))]

mod error_recording;
mod layer;
mod span_access;
mod span_start;

#[doc(hidden)]
pub mod __private;

pub use error_recording::{ErrorType, record_error, record_error_as, record_failure};
pub use layer::TracedLayer;
pub use span_access::{context_of, current_context, trace_ids};
pub use span_start::SpanStart;

#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use traced_macros::traced;

/// Records a field declared in the attribute's `fields(...)`, from the body of the function
/// the attribute is on: `record!(order_id = id)`, `record!(total = %amount)`,
/// `record!(state = ?state)`.
///
/// The attribute checks the name against its declared fields at compile time, so a
/// misspelled field is a compile error (with a suggestion) instead of a silently lost value.
/// Used anywhere else, `record!` does not compile.
///
/// ```
/// #[traced::traced(fields(order_id))]
/// fn create_order() -> u64 {
///     let id = 42;
///     traced::record!(order_id = id);
///     id
/// }
/// # create_order();
/// ```
#[macro_export]
macro_rules! record {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`record!` works only in the body of a function annotated with a `traced` attribute \
             that declares the field in `fields(...)`"
        )
    };
}
