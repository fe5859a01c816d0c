use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use traced::traced;
use traced_tests::Capture;

#[traced(follows_from = span)]
fn span_ref(span: &tracing::Span) {}

#[traced(follows_from = span)]
fn span_owned(span: tracing::Span) {}

#[traced(follows_from = cx)]
fn context_ref(cx: &Context) {}

#[traced(follows_from = cx)]
fn context_owned(cx: Context) {}

#[traced(follows_from = sc)]
fn span_context(sc: SpanContext) {}

#[traced(follows_from = sc)]
fn span_context_ref(sc: &SpanContext) {}

#[traced(follows_from = batch)]
fn vec(batch: Vec<SpanContext>) {}

#[traced(follows_from = batch)]
fn array(batch: [&tracing::Span; 2]) {}

#[traced(follows_from = batch)]
fn slice(batch: &[SpanContext]) {}

#[traced(follows_from = maybe)]
fn option(maybe: Option<&Context>) {}

#[traced(follows_from = [&a, &b])]
fn inline_array(a: tracing::Span, b: tracing::Span) {}

#[traced(parent = None::<tracing::Id>, follows_from = sc, fields(n = 1, later))]
fn with_parent_and_fields(sc: &SpanContext) {
    traced::record!(later = 2);
}

#[traced(follows_from = sc)]
async fn async_follows_from(sc: SpanContext) -> u32 {
    1
}

fn main() {
    let capture = Capture::new();
    let other = tracing::info_span!("other");
    let sc = SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    span_ref(&other);
    span_owned(other.clone());
    context_ref(&Context::new());
    context_owned(Context::new());
    span_context(sc.clone());
    span_context_ref(&sc);
    vec(vec![sc.clone(), sc.clone()]);
    array([&other, &other]);
    slice(&[sc.clone()]);
    option(None);
    inline_array(other.clone(), other.clone());
    with_parent_and_fields(&sc);
    let _ = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async_follows_from(sc.clone()));
    drop(other);

    assert_eq!(capture.span("span_context").links.len(), 1);
    assert_eq!(capture.span("vec").links.len(), 2);
    assert_eq!(capture.span("slice").links.len(), 1);
    assert_eq!(capture.span("with_parent_and_fields").links.len(), 1);
    assert_eq!(
        capture.span("with_parent_and_fields").i64_attr("later"),
        Some(2)
    );
}
