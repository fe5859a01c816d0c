//! `#[traced]`: every option and function shape, asserted on the spans the SDK exports.

use std::error::Error;
use std::fmt;

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry_sdk::trace::Sampler;
use traced::traced;
use traced_tests::{AttrValue, Capture, SpanKind, SpanStatus};

#[traced]
fn plain(a: u32, secret: &str) -> u32 {
    a + secret.len() as u32
}

#[test]
fn default_span_is_internal_named_after_the_function_and_records_no_argument() {
    let capture = Capture::new();
    assert_eq!(plain(1, "hunter2"), 8);
    let span = capture.span("plain");
    assert_eq!(span.kind, SpanKind::Internal);
    assert_eq!(span.status, SpanStatus::Unset);
    assert_eq!(span.parent_span_id, None);
    assert!(span.attributes.is_empty(), "{:?}", span.attributes);
    assert!(span.events.is_empty());
}

#[derive(Debug)]
struct Customer {
    tier: &'static str,
}

impl fmt::Display for Customer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "customer({})", self.tier)
    }
}

#[traced(
    name = "checkout",
    kind = client,
    fields(
        item_count = items.len() as i64,
        big = u64::MAX,
        unsigned = 7u64,
        ratio = 0.5,
        express = true,
        customer = %customer,
        customer.debug = ?customer,
        "http.route" = "/checkout",
        r#type = "literal keyword",
        order_id,
    )
)]
fn fields_of_every_type(items: &[u32], customer: &Customer) {
    let _ = (items, customer);
}

#[test]
fn fields_keep_their_types_and_names() {
    let capture = Capture::new();
    fields_of_every_type(&[1, 2, 3], &Customer { tier: "gold" });
    let span = capture.span("checkout");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(span.attr("item_count"), Some(&AttrValue::I64(3)));
    assert_eq!(
        span.attr("big"),
        Some(&AttrValue::Str(u64::MAX.to_string()))
    );
    assert_eq!(span.attr("unsigned"), Some(&AttrValue::I64(7)));
    assert_eq!(span.attr("ratio"), Some(&AttrValue::F64(0.5)));
    assert_eq!(span.attr("express"), Some(&AttrValue::Bool(true)));
    assert_eq!(span.str_attr("customer"), Some("customer(gold)"));
    assert_eq!(
        span.str_attr("customer.debug"),
        Some(r#"Customer { tier: "gold" }"#)
    );
    assert_eq!(span.str_attr("http.route"), Some("/checkout"));
    assert_eq!(span.str_attr("type"), Some("literal keyword"));
    // Declared but never recorded: absent, not empty.
    assert_eq!(span.attr("order_id"), None);
    assert_eq!(span.attr("otel.kind"), None, "the kind is not an attribute");
}

#[traced(fields(order_id, total_cents, state))]
fn deferred_fields(total: i64) -> i64 {
    let id = 42_i64;
    traced::record!(order_id = id);
    if total > 0 {
        // From a closure, too.
        let record_total = || traced::record!(total_cents = total, state = ?"paid");
        record_total();
    }
    id
}

#[test]
fn deferred_fields_are_recorded_from_the_body() {
    let capture = Capture::new();
    assert_eq!(deferred_fields(1250), 42);
    let span = capture.span("deferred_fields");
    assert_eq!(span.attr("order_id"), Some(&AttrValue::I64(42)));
    assert_eq!(span.attr("total_cents"), Some(&AttrValue::I64(1250)));
    assert_eq!(span.str_attr("state"), Some(r#""paid""#));
}

#[traced(fields(order_id))]
async fn deferred_fields_async(id: u64) -> u64 {
    tokio::task::yield_now().await;
    traced::record!(order_id = id);
    id
}

#[tokio::test(flavor = "current_thread")]
async fn deferred_fields_are_recorded_from_an_async_body() {
    let capture = Capture::new();
    assert_eq!(deferred_fields_async(9).await, 9);
    assert_eq!(
        capture.span("deferred_fields_async").attr("order_id"),
        Some(&AttrValue::I64(9))
    );
}

#[traced(args, skip(password))]
fn with_args(user: &str, attempts: u8, password: &str) -> bool {
    !user.is_empty() && attempts < 3 && !password.is_empty()
}

#[traced(args(user))]
fn with_some_args(user: &str, attempts: u8) -> bool {
    !user.is_empty() && attempts < 3
}

#[test]
fn args_are_recorded_only_when_asked() {
    let capture = Capture::new();
    assert!(with_args("ada", 1, "hunter2"));
    assert!(with_some_args("bob", 2));
    let span = capture.span("with_args");
    assert_eq!(span.str_attr("user"), Some(r#""ada""#));
    assert_eq!(span.str_attr("attempts"), Some("1"));
    assert_eq!(span.attr("password"), None);
    let span = capture.span("with_some_args");
    assert_eq!(span.str_attr("user"), Some(r#""bob""#));
    assert_eq!(span.attr("attempts"), None);
}

/// An error with a cause, like most application errors.
#[derive(Debug)]
struct LoadError {
    source: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not load the order")
    }
}

impl Error for LoadError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

#[traced]
fn failing() -> Result<u32, LoadError> {
    Err(LoadError {
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "orders.db is missing"),
    })
}

#[test]
fn err_sets_status_error_type_and_exception_with_the_chain() {
    let capture = Capture::new();
    assert!(failing().is_err());
    let span = capture.span("failing");
    assert_eq!(
        span.status,
        SpanStatus::Error("could not load the order".into())
    );
    let error_type = "traced_attr::LoadError";
    assert_eq!(span.str_attr("error.type"), Some(error_type));
    let exception = span.event("exception").expect("an exception event");
    assert_eq!(exception.str_attr("exception.type"), Some(error_type));
    assert_eq!(
        exception.str_attr("exception.message"),
        Some("could not load the order")
    );
    assert_eq!(
        exception.str_attr("exception.stacktrace"),
        Some("could not load the order\n\nCaused by:\n    0: orders.db is missing")
    );
}

type AppResult<T> = std::io::Result<T>;

#[traced]
fn aliased() -> AppResult<()> {
    Err(std::io::Error::other("disk full"))
}

#[traced]
fn boxed() -> Result<(), Box<dyn Error + Send + Sync>> {
    Err("no such customer".into())
}

#[traced]
fn display_only() -> Result<(), String> {
    Err("plain string error".to_owned())
}

#[derive(Debug)]
enum PaymentError {
    Declined,
}

impl traced::ErrorType for PaymentError {
    fn error_type(&self) -> std::borrow::Cow<'static, str> {
        "payment_declined".into()
    }
}

#[traced]
fn coded() -> Result<(), PaymentError> {
    Err(PaymentError::Declined)
}

#[traced(err = false)]
fn expected_miss() -> Result<(), String> {
    Err("not found is fine here".to_owned())
}

#[test]
fn every_kind_of_err_is_recorded_and_err_false_turns_it_off() {
    let capture = Capture::new();
    let _ = aliased();
    let _ = boxed();
    let _ = display_only();
    let _ = coded();
    let _ = expected_miss();

    let span = capture.span("aliased");
    assert_eq!(span.status, SpanStatus::Error("disk full".into()));
    assert_eq!(span.str_attr("error.type"), Some("std::io::Error"));

    let span = capture.span("boxed");
    assert_eq!(span.status, SpanStatus::Error("no such customer".into()));
    assert_eq!(span.str_attr("error.type"), Some("_OTHER"));
    assert_eq!(
        span.event("exception")
            .and_then(|e| e.str_attr("exception.message")),
        Some("no such customer")
    );

    let span = capture.span("display_only");
    assert_eq!(span.status, SpanStatus::Error("plain string error".into()));
    assert_eq!(span.str_attr("error.type"), Some("alloc::string::String"));

    let span = capture.span("coded");
    assert_eq!(span.status, SpanStatus::Error("Declined".into()));
    assert_eq!(span.str_attr("error.type"), Some("payment_declined"));

    let span = capture.span("expected_miss");
    assert_eq!(span.status, SpanStatus::Unset);
    assert_eq!(span.attr("error.type"), None);
    assert!(span.events.is_empty());
}

#[traced(ret)]
fn answer() -> Result<u32, String> {
    Ok(42)
}

#[traced(ret(Display))]
fn greeting() -> String {
    "hello".to_owned()
}

#[test]
fn ret_records_the_return_value() {
    let capture = Capture::new();
    let _ = answer();
    let _ = greeting();
    assert_eq!(
        capture.span("answer").str_attr("traced.return_value"),
        Some("42")
    );
    assert_eq!(
        capture.span("greeting").str_attr("traced.return_value"),
        Some("hello")
    );
}

#[traced]
fn panics(value: u32) -> u32 {
    if value > 1 {
        panic!("value {value} is too large");
    }
    value
}

#[test]
fn a_panic_ends_the_span_with_error_and_keeps_unwinding() {
    let capture = Capture::new();
    let result = std::panic::catch_unwind(|| panics(5));
    assert!(result.is_err(), "the panic must keep unwinding");
    let span = capture.span("panics");
    assert_eq!(
        span.status,
        SpanStatus::Error("value 5 is too large".into())
    );
    assert_eq!(span.str_attr("error.type"), Some("panic"));
    let exception = span.event("exception").expect("an exception event");
    assert_eq!(
        exception.str_attr("exception.message"),
        Some("value 5 is too large")
    );
}

#[traced]
async fn panics_async() {
    tokio::task::yield_now().await;
    panic!("async boom");
}

#[tokio::test(flavor = "current_thread")]
async fn a_panic_in_an_async_body_ends_the_span_with_error() {
    let capture = Capture::new();
    let handle = tokio::spawn(async {
        // The spawned task runs on this thread (current-thread runtime), under `capture`.
        panics_async().await;
    });
    assert!(handle.await.is_err());
    let span = capture.span("panics_async");
    assert_eq!(span.status, SpanStatus::Error("async boom".into()));
}

#[traced]
async fn inner_step() -> u32 {
    tracing::info!(step = 2_i64, "inner step ran");
    2
}

#[traced]
async fn outer_step() -> u32 {
    tokio::task::yield_now().await;
    inner_step().await + 1
}

#[tokio::test(flavor = "current_thread")]
async fn async_spans_nest_and_events_become_span_events() {
    let capture = Capture::new();
    assert_eq!(outer_step().await, 3);
    let outer = capture.span("outer_step");
    let inner = capture.span("inner_step");
    assert_eq!(inner.trace_id, outer.trace_id);
    assert_eq!(
        inner.parent_span_id.as_deref(),
        Some(outer.span_id.as_str())
    );
    let event = inner
        .event("inner step ran")
        .expect("the log line as an event");
    assert_eq!(event.attr("step"), Some(&AttrValue::I64(2)));
}

#[tracing::instrument]
fn theirs() -> u32 {
    ours_inside()
}

#[traced]
fn ours_inside() -> u32 {
    1
}

#[traced]
fn ours_outside() -> u32 {
    theirs()
}

#[test]
fn instrument_spans_nest_with_ours_both_ways() {
    let capture = Capture::new();
    assert_eq!(ours_outside(), 1);
    let outer = capture.span("ours_outside");
    let middle = capture.span("theirs");
    let inner = capture.span("ours_inside");
    assert_eq!(
        middle.parent_span_id.as_deref(),
        Some(outer.span_id.as_str())
    );
    assert_eq!(
        inner.parent_span_id.as_deref(),
        Some(middle.span_id.as_str())
    );
    assert_eq!(inner.trace_id, outer.trace_id);
}

#[traced(level = "debug")]
fn debug_level() {}

#[test]
fn level_controls_filtering() {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let layer = traced::TracedLayer::new(provider.tracer("t"))
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        debug_level();
        plain(1, "x");
    });
    let names: Vec<_> = exporter
        .get_finished_spans()
        .unwrap()
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(names, ["plain"]);
}

#[traced]
fn unsampled_work() -> u32 {
    tracing::info!("nobody will see this");
    5
}

#[test]
fn unsampled_spans_are_not_exported_and_the_function_still_runs() {
    let capture = Capture::with_sampler(Sampler::AlwaysOff);
    assert_eq!(unsampled_work(), 5);
    assert!(capture.spans().is_empty());
}

struct Store {
    rows: Vec<u32>,
}

trait Repository {
    async fn count(&self) -> usize;
}

impl Repository for Store {
    #[traced(fields(rows = self.rows.len() as i64))]
    async fn count(&self) -> usize {
        self.rows.len()
    }
}

#[async_trait::async_trait]
trait LegacyRepository {
    async fn first(&self) -> Result<u32, String>;
}

#[async_trait::async_trait]
impl LegacyRepository for Store {
    #[traced]
    async fn first(&self) -> Result<u32, String> {
        self.rows.first().copied().ok_or_else(|| "empty".to_owned())
    }
}

impl Store {
    #[traced]
    fn get(&self, index: usize) -> Option<u32> {
        self.rows.get(index).copied()
    }

    #[traced]
    fn push(&mut self, row: u32) {
        self.rows.push(row);
    }

    #[traced]
    fn into_rows(self) -> Vec<u32> {
        self.rows
    }

    #[traced]
    fn evens(&self) -> impl Iterator<Item = u32> + '_ {
        self.rows.iter().copied().filter(|r| r % 2 == 0)
    }

    #[traced]
    fn first_of<'a>(&'a self, other: &'a [u32]) -> &'a u32 {
        self.rows.first().unwrap_or(&other[0])
    }
}

#[traced]
fn generic<T: Clone + fmt::Debug>(value: &T) -> Vec<T> {
    vec![value.clone(), value.clone()]
}

#[traced]
fn question_mark(input: &str) -> Result<u32, Box<dyn Error>> {
    let value: u32 = input.parse()?;
    Ok(value)
}

#[traced]
fn early_return(flag: bool) -> u32 {
    if flag {
        return 1;
    }
    2
}

#[traced]
fn boxed_future(value: u32) -> std::pin::Pin<Box<dyn std::future::Future<Output = u32> + Send>> {
    Box::pin(async move { value * 2 })
}

#[tokio::test(flavor = "current_thread")]
async fn every_function_shape_is_traced() {
    let capture = Capture::new();
    let mut store = Store { rows: vec![4, 5] };
    assert_eq!(store.count().await, 2);
    assert_eq!(store.first().await, Ok(4));
    assert_eq!(store.get(1), Some(5));
    store.push(6);
    assert_eq!(store.evens().collect::<Vec<_>>(), [4, 6]);
    assert_eq!(*store.first_of(&[9]), 4);
    assert_eq!(store.into_rows(), [4, 5, 6]);
    assert_eq!(generic(&"x"), ["x", "x"]);
    assert!(question_mark("nope").is_err());
    assert_eq!(question_mark("12").unwrap(), 12);
    assert_eq!(early_return(true), 1);
    assert_eq!(boxed_future(21).await, 42);

    let spans = capture.spans();
    let mut names: Vec<_> = spans.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "boxed_future",
            "count",
            "early_return",
            "evens",
            "first",
            "first_of",
            "generic",
            "get",
            "into_rows",
            "push",
            "question_mark",
            "question_mark",
        ]
    );
    assert_eq!(capture.span("count").attr("rows"), Some(&AttrValue::I64(2)));
    let failed = spans
        .iter()
        .filter(|s| s.name == "question_mark" && s.status != SpanStatus::Unset)
        .count();
    assert_eq!(failed, 1, "only the failed parse is an error");
}

#[traced(parent = None::<tracing::Id>)]
fn detached() {}

#[traced]
fn attached_parent() {
    detached();
}

#[traced(parent = cx)]
fn under_remote_parent(cx: &opentelemetry::Context) {
    let _ = cx;
}

#[traced(follows_from = cause)]
fn caused_by(cause: &tracing::Span) {
    let _ = cause;
}

#[test]
fn parent_and_follows_from() {
    let capture = Capture::new();
    attached_parent();
    let detached = capture.span("detached");
    assert_eq!(
        detached.parent_span_id, None,
        "parent = None starts a new trace"
    );
    assert_ne!(detached.trace_id, capture.span("attached_parent").trace_id);

    let remote = SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let cx = opentelemetry::Context::new().with_remote_span_context(remote);
    under_remote_parent(&cx);
    let span = capture.span("under_remote_parent");
    assert_eq!(span.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(span.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));

    let cause = tracing::info_span!("cause");
    caused_by(&cause);
    drop(cause);
    let cause = capture.span("cause");
    let span = capture.span("caused_by");
    assert_eq!(span.links.len(), 1);
    assert_eq!(span.links[0].trace_id, cause.trace_id);
    assert_eq!(span.links[0].span_id, cause.span_id);
}

#[traced]
async fn never_finishes() {
    std::future::pending::<()>().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_cancelled_future_still_ends_its_span_without_error() {
    let capture = Capture::new();
    let result = tokio::time::timeout(std::time::Duration::from_millis(10), never_finishes()).await;
    assert!(result.is_err());
    let span = capture.span("never_finishes");
    assert_eq!(span.status, SpanStatus::Unset);
}

/// Samples only spans that carry `sample.me = true` at creation, and remembers what it saw.
#[derive(Debug, Clone, Default)]
struct AttributeSampler {
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, opentelemetry::trace::SpanKind, usize)>>>,
}

impl opentelemetry_sdk::trace::ShouldSample for AttributeSampler {
    fn should_sample(
        &self,
        _parent: Option<&opentelemetry::Context>,
        _trace_id: TraceId,
        name: &str,
        kind: &opentelemetry::trace::SpanKind,
        attributes: &[opentelemetry::KeyValue],
        links: &[opentelemetry::trace::Link],
    ) -> opentelemetry_sdk::trace::SamplingResult {
        self.seen
            .lock()
            .unwrap()
            .push((name.to_owned(), kind.clone(), links.len()));
        let wanted = attributes.iter().any(|kv| {
            kv.key.as_str() == "sample.me" && kv.value == opentelemetry::Value::Bool(true)
        });
        opentelemetry_sdk::trace::SamplingResult {
            decision: if wanted {
                opentelemetry_sdk::trace::SamplingDecision::RecordAndSample
            } else {
                opentelemetry_sdk::trace::SamplingDecision::Drop
            },
            attributes: Vec::new(),
            trace_state: TraceState::default(),
        }
    }
}

#[traced(kind = producer, fields(sample.me = wanted))]
fn maybe_sampled(wanted: bool) {
    let _ = wanted;
}

#[test]
fn the_sampler_sees_name_kind_and_attributes_at_creation() {
    let sampler = AttributeSampler::default();
    let seen = sampler.seen.clone();
    let capture = Capture::with_sampler(Sampler::ParentBased(Box::new(sampler)));
    maybe_sampled(true);
    maybe_sampled(false);
    let spans = capture.spans();
    assert_eq!(
        spans.len(),
        1,
        "only the span created with sample.me = true"
    );
    assert_eq!(spans[0].bool_attr("sample.me"), Some(true));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0, "maybe_sampled");
    assert_eq!(seen[0].1, opentelemetry::trace::SpanKind::Producer);
}

#[traced(args)]
fn raw_argument(r#in: u32) -> u32 {
    r#in
}

#[test]
fn raw_identifier_arguments_are_recorded_under_their_plain_name() {
    let capture = Capture::new();
    raw_argument(3);
    let span = capture.span("raw_argument");
    assert_eq!(span.str_attr("in"), Some("3"));
    assert_eq!(span.attr("r#in"), None);
}

#[traced]
fn logs_then_fails() -> Result<(), std::io::Error> {
    let error = std::io::Error::other("disk full");
    tracing::error!(%error, "write failed");
    Err(error)
}

#[test]
fn an_error_event_is_a_span_event_not_a_second_exception() {
    let capture = Capture::new();
    let _ = logs_then_fails();
    let span = capture.span("logs_then_fails");
    let names: Vec<&str> = span.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["write failed", "exception"]);
    let logged = span.event("write failed").unwrap();
    assert_eq!(logged.str_attr("error"), Some("disk full"));
}

#[traced]
async fn plain_async(x: u64) -> u64 {
    x + 1
}

#[tracing::instrument(skip_all)]
async fn instrumented_async(x: u64) -> u64 {
    x + 1
}

/// An executor moves and stores the future: a plain traced `async fn` keeps no more in it
/// than `#[instrument]` does (a borrow of the span or of the sampler's answer before an
/// `.await` would keep room for both across it).
#[test]
fn a_plain_async_span_makes_the_future_no_bigger_than_instrument() {
    let ours = std::mem::size_of_val(&plain_async(1));
    let theirs = std::mem::size_of_val(&instrumented_async(1));
    // A margin of one word pair, so that a toolchain's layout change in either crate does
    // not fail this; the borrows cost three times that.
    assert!(
        ours <= theirs + 16,
        "{ours} bytes, #[instrument]'s {theirs}"
    );
    // And the body still runs, with no subscriber at all.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(plain_async(1));
    assert_eq!(future.as_mut().poll(&mut cx), std::task::Poll::Ready(2));
}

#[traced]
fn with_inner_attribute(x: u32) -> u32 {
    #![allow(clippy::let_and_return)]
    let y = x + 1;
    y
}

#[traced]
async fn with_inner_attribute_async(x: u32) -> u32 {
    #![allow(clippy::let_and_return)]
    let y = x + 1;
    y
}

#[test]
fn inner_attributes_stay_at_the_top_of_the_body() {
    let capture = Capture::new();
    assert_eq!(with_inner_attribute(1), 2);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(with_inner_attribute_async(2));
    assert_eq!(future.as_mut().poll(&mut cx), std::task::Poll::Ready(3));
    capture.span("with_inner_attribute");
    capture.span("with_inner_attribute_async");
}

/// A type of another module that only looks like a standard one by its last name.
mod api {
    pub(crate) type Vec<T> = std::io::Result<T>;
}

#[traced]
fn named_like_vec() -> api::Vec<u32> {
    Err(std::io::Error::other("disk full"))
}

#[traced]
fn a_std_vec() -> std::vec::Vec<u32> {
    vec![1]
}

#[test]
fn only_plainly_standard_return_types_skip_the_error_check() {
    let capture = Capture::new();
    assert!(named_like_vec().is_err());
    assert_eq!(a_std_vec(), [1]);
    let span = capture.span("named_like_vec");
    assert_eq!(span.status, SpanStatus::Error("disk full".into()));
    assert_eq!(span.str_attr("error.type"), Some("std::io::Error"));
    assert_eq!(capture.span("a_std_vec").status, SpanStatus::Unset);
}

/// Spans a body keeps beyond its function's return, as a library's worker thread may.
static KEPT: std::sync::Mutex<Vec<tracing::Span>> = std::sync::Mutex::new(Vec::new());

#[traced]
fn keeps_its_span() -> u32 {
    KEPT.lock().unwrap().push(tracing::Span::current());
    1
}

#[traced]
async fn keeps_its_span_async() -> u32 {
    KEPT.lock().unwrap().push(tracing::Span::current());
    2
}

#[tokio::test(flavor = "current_thread")]
async fn a_span_ends_when_its_function_returns_even_if_a_clone_lives_on() {
    let capture = Capture::new();
    assert_eq!(keeps_its_span(), 1);
    assert_eq!(keeps_its_span_async().await, 2);
    // Both are exported while their clones are still held.
    let returned = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    for name in ["keeps_its_span", "keeps_its_span_async"] {
        let span = capture.span(name);
        assert!(span.end_unix_nanos <= returned, "{name} ended late");
    }
    assert_eq!(KEPT.lock().unwrap().len(), 2);
    KEPT.lock().unwrap().clear();
    // Closing them later exports nothing more.
    assert_eq!(capture.spans().len(), 2, "{:?}", capture.spans());
}

#[test]
fn a_span_whose_last_handle_is_dropped_is_exported_once() {
    let capture = Capture::new();
    assert_eq!(plain(2, "x"), 3);
    assert_eq!(plain(3, "x"), 4);
    let spans = capture.spans();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert!(spans.iter().all(|span| span.name == "plain"));
    assert_ne!(spans[0].span_id, spans[1].span_id);
}

/// Mentions `record` and `pin` without `record!` or a `Box::pin` body: the attribute parses
/// such a body into syntax, where a body without them is kept as tokens; both behave alike.
#[traced]
async fn pinned_inside(base: u32) -> u32 {
    let record = base;
    let future = std::pin::pin!(async move { record + 2 });
    future.await
}

#[traced]
fn kept_as_tokens(base: u32) -> Result<u32, String> {
    if base == 0 {
        return Err("zero".to_owned());
    }
    let doubled: u32 = format!("{}", base * 2).parse().map_err(|_| "parse")?;
    Ok(doubled)
}

#[tokio::test(flavor = "current_thread")]
async fn bodies_parsed_or_kept_as_tokens_behave_alike() {
    let capture = Capture::new();
    assert_eq!(pinned_inside(40).await, 42);
    assert_eq!(kept_as_tokens(21), Ok(42));
    assert_eq!(kept_as_tokens(0), Err("zero".to_owned()));
    assert_eq!(capture.span("pinned_inside").status, SpanStatus::Unset);
    let spans: Vec<_> = capture
        .spans()
        .into_iter()
        .filter(|span| span.name == "kept_as_tokens")
        .collect();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].status, SpanStatus::Unset);
    assert!(
        matches!(spans[1].status, SpanStatus::Error(_)),
        "{:?}",
        spans[1].status
    );
}

/// A processor that does what an instrumented exporter does in a simple processor: its
/// own work, traced with `tracing`, under the SDK's suppression, on the thread that ended
/// the span (while the Registry drops the span's data). It stops after a few rounds, so that
/// a feedback loop shows as a count instead of a stack overflow.
#[derive(Debug, Default)]
struct TracesItsOwnWork {
    ended: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl opentelemetry_sdk::trace::SpanProcessor for TracesItsOwnWork {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}

    fn on_end(&self, _span: opentelemetry_sdk::trace::SpanData) {
        use std::sync::atomic::Ordering;
        if self.ended.fetch_add(1, Ordering::SeqCst) >= 10 {
            return;
        }
        let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
        tracing::info_span!("export request").in_scope(|| tracing::info!("sending a batch"));
        tracing::info_span!(parent: None, "exporter connection").in_scope(|| {});
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(
        &self,
        _timeout: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
}

#[traced]
fn suppressing_step() -> u32 {
    // Work the application itself suppresses: neither span nor event is recorded.
    let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
    tracing::info_span!("suppressed child").in_scope(|| tracing::info!("not an event"));
    4
}

#[traced]
fn calls_suppressing_step() -> u32 {
    suppressing_step() + 1
}

#[test]
fn the_pipelines_own_suppressed_work_is_not_recorded() {
    let processor = TracesItsOwnWork::default();
    let ended = processor.ended.clone();
    let capture = Capture::with_processor(processor);
    assert_eq!(calls_suppressing_step(), 5);
    let names: Vec<String> = capture.spans().into_iter().map(|span| span.name).collect();
    assert_eq!(names, ["suppressing_step", "calls_suppressing_step"]);
    assert!(capture.span("suppressing_step").events.is_empty());
    // One end for each of the two spans: the processor's own spans ended nothing more.
    assert_eq!(ended.load(std::sync::atomic::Ordering::SeqCst), 2);
}
