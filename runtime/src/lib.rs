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
//! export them through an OpenTelemetry SDK tracer. `tracing` events inside them (INFO and
//! more severe, by default) become span events, and `#[tracing::instrument]` spans nest with
//! them both ways.
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

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod db;
mod entered;
mod error_recording;
pub mod export;
pub mod http;
#[cfg(feature = "init")]
mod init;
mod layer;
pub mod propagation;
pub mod sampling;
mod span_access;
mod span_start;

#[doc(hidden)]
pub mod __private;

pub use error_recording::{ErrorType, record_error, record_error_as, record_failure};
#[cfg(feature = "init")]
pub use init::{
    Config, ConfigError, ExporterKind, InitError, LogFormat, OtlpProtocol, SamplerKind,
    ServiceDefaults, Telemetry, TelemetryGuard,
};
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

/// Traces an HTTP handler with a SERVER span that continues the caller's trace.
///
/// For each request the handler serves: one SERVER span named `{METHOD} {route}` (the route
/// template, never the raw path; `HTTP` for a method semconv does not know), started when
/// the request arrived, as the child of the caller's span read from the request headers
/// with the configured propagators (W3C `traceparent`/`tracestate` and `baggage` by
/// default; see [`propagation`]). It starts with `http.request.method`, `http.route`,
/// `url.path`, `url.query` (signed-URL parameters `REDACTED`), `url.scheme`,
/// `server.address`, `server.port`, `client.address`, `network.peer.*`,
/// `user_agent.original`, `network.protocol.version`, and the forwarded headers of
/// [`http::HttpConfig`] as `http.request.header.<name>`, so samplers see them all.
///
/// When the response is known it gets `http.response.status_code`. A 5xx sets status Error
/// with `error.type`: the type of the handler's `Err` when it failed (with the `exception`
/// event and its causes), else the code (`"500"`). A 4xx leaves the status Unset, as the
/// semantic conventions ask of servers. A panic is recorded and unwinds on.
///
/// The handler's baggage and caller context are in [`current_context`]; the forwarded
/// headers and force trace travel on to every `#[traced_client]` request it sends.
///
/// # axum (feature `axum`)
/// On an `async fn`, nothing else to write: the attribute adds an extractor in front of the
/// handler's own and wraps its value in `http::axum::Traced`, which becomes the response.
/// The route comes from axum's `MatchedPath`, the peer address from `ConnectInfo` when the
/// server is started with `into_make_service_with_connect_info`. Works for every return
/// type axum accepts (`impl IntoResponse`, `Result<T, E>` with `E: IntoResponse`,
/// `(StatusCode, T)`, `Json<T>`, ...): the status is the one the value converts to. Requests
/// that never reach a handler are covered by `http::axum::FallbackSpanLayer`. Unit tests
/// call the handler with `http::axum::Incoming::default()` first and take the value with
/// `.into_inner()` (see `traced::http::axum`).
///
/// # Other frameworks
/// A synchronous function, or one with `headers = <expr>`, reads the request from a
/// parameter of type `http::Request<B>`, `http::request::Parts` or `http::HeaderMap` (or
/// references to them), or from `<expr>` of one of those types; its signature does not
/// change. The status code comes from a return value that is an `http::Response<B>`,
/// `StatusCode`, `(StatusCode, T)` or a `Result` of those; an `Err` is a failure.
/// ```
/// #[traced::traced_handler(method = "GET", route = "/health")]
/// fn health(headers: &http::HeaderMap) -> http::StatusCode {
///     let _ = headers;
///     http::StatusCode::OK
/// }
/// # health(&http::HeaderMap::new());
/// ```
///
/// # Options
/// All options of [`traced`](macro@traced) but `kind` and `parent`, and:
///
/// `method = "GET"`: the method, for a handler that sees only headers.
///
/// `route = "/users/{id}"`: the route template, when the framework does not give one.
///
/// `headers = <expr>`: the request (`Request<B>`, `Parts`, `HeaderMap`, or a reference), for
/// an `async fn` outside axum.
/// ```
/// #[traced::traced_handler(headers = request, route = "/echo")]
/// async fn echo(request: http::Request<String>) -> http::Response<String> {
///     http::Response::new(request.into_body())
/// }
/// ```
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use traced_macros::traced_handler;

/// Traces the HTTP requests a function sends with CLIENT spans that carry the trace to the
/// next service.
///
/// # reqwest (feature `reqwest`)
/// Every request the body sends with reqwest 0.13, `RequestBuilder::send()` or
/// `Client::execute(request)` (in closures and async blocks of the body too, not in nested
/// functions or inside macro invocations such as `tokio::select!`), is traced and carries
/// the current context in its headers (the configured propagators: W3C `traceparent`,
/// `tracestate` and `baggage` by default) and the forwarded headers of the request being
/// served (`x-request-id`, see [`http::HttpConfig`]). The client stays a `reqwest::Client`.
///
/// The function's span is the CLIENT span of the first request it sends, so a function
/// that sends one request yields exactly one span, with the function's `fields(...)`. Each
/// later request gets a CLIENT span of its own beside it; one that repeats the previous
/// method and URL (a retry) has `http.request.resend_count`.
///
/// A request's span is named `{METHOD}`, or `{METHOD} {template}` with `template`, and has
/// `http.request.method`, `url.full` (credentials and signed-URL parameters `REDACTED`),
/// `server.address`, `server.port`, `url.scheme`, `url.template`, then
/// `http.response.status_code` and `network.protocol.version`. A 4xx or 5xx response sets
/// status Error with `error.type` the code; a request with no response (timeout, refused
/// connection) status Error with `error.type` (`timeout`, `connection_refused`, ...) and the
/// `exception` event with its causes. The function's own `Err` is recorded only if no
/// request already failed. A dropped future ends its spans without Error.
///
/// The method, URL and server attributes are set when the request is sent: a sampler sees
/// only the function's fields, unless the request is declared with `method` and `url`.
///
/// ```
/// # #[cfg(feature = "reqwest")]
/// #[traced::traced_client(template = "/api/inventory/{id}", fields(product_id = id))]
/// async fn stock(client: &reqwest::Client, base: &str, id: u64) -> reqwest::Result<String> {
///     client.get(format!("{base}/api/inventory/{id}")).send().await?.text().await
/// }
/// ```
///
/// Inside the function, a `.send()` without arguments on a value that is not a reqwest
/// `RequestBuilder` is called as written, but its receiver is moved (as reqwest's is).
///
/// # Other clients
/// Declare the request with `method` and `url` (the span then starts with every
/// attribute), and put the context on the request with [`http::inject_headers`] or
/// [`http::inject_request`] (or [`propagation::with_propagator`] for any `Injector`):
/// ```
/// #[traced::traced_client(method = "POST", url = url)]
/// fn notify(url: &str) -> http::Request<()> {
///     let mut request = http::Request::post(url).body(()).unwrap();
///     traced::http::inject_request(&mut request);
///     request
/// }
/// # notify("http://127.0.0.1:9/hook");
/// ```
///
/// # Options
/// All options of [`traced`](macro@traced) but `kind`, and:
///
/// `template = "/api/items/{id}"`: the URL template, for the span name and `url.template`.
///
/// `method = "GET", url = <expr>`: the request, for a client whose sends the attribute
/// cannot see (`<expr>` is anything `AsRef<str>`).
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use traced_macros::traced_client;

/// Traces a database query (sqlx 0.9; features `sqlite`, `postgres`, `mysql`) with a span
/// that follows the database semantic conventions.
///
/// One span per call: CLIENT (INTERNAL for an in-memory SQLite database), named
/// `{db.query.summary}` (else `{db.operation.name} {db.collection.name}`, else
/// `{db.system.name}`), started with `db.system.name`, `db.query.text` (sanitised: every
/// literal is `?`, placeholders stay), `db.operation.name`, `db.collection.name`,
/// `db.query.summary`, and, from a pool's connect options, `db.namespace`,
/// `server.address` and `server.port`. When it ends: `db.response.returned_rows` (a `Vec`'s
/// length, an `Option`, one row) or `traced.db.response.affected_rows` (a query result; the
/// registry has no attribute for it). A database error records `db.response.status_code`
/// (PostgreSQL's SQLSTATE, MySQL's and MariaDB's error number, SQLite's code) and the same
/// value as `error.type`, status Error unless PostgreSQL's class is 00 or 01; other sqlx
/// errors an `error.type` such as `sqlx::Error::PoolTimedOut`; both with the `exception`
/// event.
///
/// The SQL given as a literal is analysed at compile time; `query = CONST` is analysed once,
/// on first use; SQL known only at run time goes through `traced::db::record_query` (with
/// one of the database features on).
///
/// The system comes from the first parameter whose type names a sqlx database (`PgPool`,
/// `Pool<Postgres>`, `&mut PgConnection`, `Transaction<'_, Postgres>`, `SqlitePool`,
/// `MySqlPool`, ...), or from `system = "..."` (MariaDB is `system = "mariadb"`: its pools
/// are MySQL pools).
///
/// ```
/// # #[cfg(feature = "sqlite")]
/// #[traced::traced_query("SELECT id, total FROM orders WHERE customer_id = $1")]
/// async fn orders_of(pool: &sqlx::SqlitePool, customer: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
///     sqlx::query_as("SELECT id, total FROM orders WHERE customer_id = $1")
///         .bind(customer)
///         .fetch_all(pool)
///         .await
/// }
/// ```
///
/// # Options
/// All options of [`traced`](macro@traced) but `kind`, and:
///
/// `"SQL"` (first) or `query = CONST`: the statement the function runs.
///
/// `system = "postgresql"`: `db.system.name`, when the signature does not tell.
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use traced_macros::traced_query;

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
