//! Attribute macros of [`traced`](https://docs.rs/traced). Depend on `traced`, not on this
//! crate: the code these macros generate calls into `traced`'s private API, which is only
//! guaranteed to match the exact version of this crate that `traced` pins.
//!
//! Stages: `attr` parses the arguments, `valid` checks them against each other and the
//! function, `expand` generates code (shared by every attribute), `record` rewrites
//! `record!` calls in the body.

mod attr;
mod expand;
mod item;
mod record;
mod sends;
mod valid;

use proc_macro::TokenStream;

/// Traces a function with an OpenTelemetry span (INTERNAL by default).
///
/// See the documentation of `traced::traced` for every option, with examples.
#[proc_macro_attribute]
pub fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    item::traced(args.into(), item.into()).into()
}

/// Traces an HTTP handler with a SERVER span that continues the caller's trace.
///
/// See the documentation of `traced::traced_handler` for every option, with examples.
#[proc_macro_attribute]
pub fn traced_handler(args: TokenStream, item: TokenStream) -> TokenStream {
    item::traced_handler(args.into(), item.into()).into()
}

/// Traces an outgoing HTTP request with a CLIENT span that carries the trace to the next
/// service.
///
/// See the documentation of `traced::traced_client` for every option, with examples.
#[proc_macro_attribute]
pub fn traced_client(args: TokenStream, item: TokenStream) -> TokenStream {
    item::traced_client(args.into(), item.into()).into()
}

/// Traces a database query with a span that follows the database semantic conventions.
///
/// See the documentation of `traced::traced_query` for every option, with examples.
#[proc_macro_attribute]
pub fn traced_query(args: TokenStream, item: TokenStream) -> TokenStream {
    item::traced_query(args.into(), item.into()).into()
}
