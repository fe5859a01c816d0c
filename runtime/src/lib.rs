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

/// Traces a function with an OpenTelemetry span.
///
/// The span is INTERNAL unless `kind` says otherwise, named after the function, at level
/// INFO, and records no argument. It ends when the function returns, when its future
/// completes or is dropped, or when it panics. Works on sync and `async fn`s, methods
/// (`self`, `&self`, `&mut self`), generic functions, `impl Trait` returns, `async fn` in
/// traits and async-trait methods (`Box::pin(async move { .. })` bodies). Not on `const fn`
/// or `extern` functions.
///
/// A function that returns `Err(e)` ends its span with status Error, `error.type` and an
/// `exception` event (see the [crate documentation](crate)); a panic too.
///
/// # Options
///
/// `name = "..."`: the span name (default: the function name). Keep it of low cardinality:
/// put values in fields, never in the name.
/// ```
/// #[traced::traced(name = "load order")]
/// fn load(id: u64) -> u64 { id }
/// # load(1);
/// ```
///
/// `kind = internal | server | client | producer | consumer`: the span kind.
/// ```
/// #[traced::traced(kind = producer)]
/// fn publish(topic: &str) { let _ = topic; }
/// # publish("orders");
/// ```
///
/// `level = "trace" | "debug" | "info" | "warn" | "error"`: the `tracing` level, for
/// filtering (default INFO, so `RUST_LOG=info` keeps the span).
/// ```
/// #[traced::traced(level = "debug")]
/// fn cache_lookup(key: &str) -> bool { key.is_empty() }
/// # cache_lookup("k");
/// ```
///
/// `target = "..."`: the `tracing` target (default: the module path).
///
/// `fields(...)`: attributes, set when the span is created (so samplers see them):
/// `key = value` keeps integers, floats, bools and strings as such, `key = %value` records
/// with `Display`, `key = ?value` with `Debug`. Keys may be dotted (`user.tier`) or string
/// literals (`"http.route"`). A bare `key` declares a field to record later with
/// [`record!`]; a misspelled name there does not compile.
/// ```
/// #[derive(Debug)]
/// struct Cart { items: Vec<u32> }
///
/// #[traced::traced(fields(item_count = cart.items.len() as i64, cart = ?cart, order_id))]
/// fn checkout(cart: &Cart) -> u64 {
///     let order_id = 1001;
///     traced::record!(order_id = order_id);
///     order_id
/// }
/// # checkout(&Cart { items: vec![1] });
/// ```
///
/// `args` records every argument but `self` with `Debug`; `args(a, b)` only these;
/// `skip(c)` leaves some out of `args`. Arguments are never recorded otherwise: they often
/// hold personal data.
/// ```
/// #[traced::traced(args, skip(password))]
/// fn login(user: &str, password: &str) -> bool { !user.is_empty() && !password.is_empty() }
/// # login("ada", "x");
/// ```
///
/// `err = false` turns off error recording for a function whose `Err` is an expected
/// outcome, not a failure (`err` alone is the default).
/// ```
/// #[traced::traced(err = false)]
/// fn find(id: u64) -> Result<String, String> { Err(format!("{id} not found")) }
/// # let _ = find(1);
/// ```
///
/// `ret`, `ret(Debug)`, `ret(Display)`: records the return value (of a `Result`, the `Ok`
/// value) as `traced.return_value`.
/// ```
/// #[traced::traced(ret)]
/// fn total(prices: &[u32]) -> u32 { prices.iter().sum() }
/// # total(&[1, 2]);
/// ```
///
/// `parent = expr`: the parent, instead of the current span: a `&tracing::Span`, a span
/// `Id`, `None::<tracing::Id>` for a new trace, or an OpenTelemetry `Context` or
/// `SpanContext` (a remote parent, extracted from a message).
/// ```
/// #[traced::traced(parent = cx)]
/// fn handle_message(cx: &opentelemetry::Context) { let _ = cx; }
/// # handle_message(&opentelemetry::Context::new());
/// ```
///
/// `follows_from = expr`: links, set at creation (samplers see them), to a span, a
/// `Context`, a `SpanContext`, or several of them (`Vec`, array, slice, `Option`).
/// ```
/// #[traced::traced(follows_from = batch)]
/// fn process(batch: &tracing::Span) { let _ = batch; }
/// # process(&tracing::Span::none());
/// ```
///
/// `crate = ::path`: where `traced` is, for a renamed dependency
/// (`telemetry = { package = "traced", ... }` → `crate = ::telemetry`).
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
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
