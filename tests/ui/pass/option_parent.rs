use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use traced::traced;
use traced_tests::Capture;

#[traced(parent = span)]
fn span_ref(span: &tracing::Span) {}

#[traced(parent = span)]
fn span_owned(span: tracing::Span) {}

#[traced(parent = id)]
fn id_owned(id: tracing::Id) {}

#[traced(parent = id)]
fn id_ref(id: &tracing::Id) {}

#[traced(parent = id)]
fn option_id(id: Option<tracing::Id>) {}

#[traced(parent = id)]
fn option_id_ref(id: &Option<tracing::Id>) {}

#[traced(parent = None::<tracing::Id>)]
fn new_root() {}

#[traced(parent = cx)]
fn context_ref(cx: &Context) {}

#[traced(parent = cx)]
fn context_owned(cx: Context) {}

#[traced(parent = sc)]
fn span_context(sc: SpanContext) {}

#[traced(parent = sc)]
fn span_context_ref(sc: &SpanContext) {}

#[traced(parent = tracing::Span::current())]
fn expression() {}

#[traced(parent = cx, fields(a = 1, b = %label, c = ?cx, d), kind = server)]
fn with_fields(cx: &Context, label: &str) {
    traced::record!(d = 4);
}

#[traced(parent = cx)]
async fn async_parent(cx: &Context) -> u32 {
    1
}

fn main() {
    let capture = Capture::new();
    let parent = tracing::info_span!("parent");
    span_ref(&parent);
    span_owned(parent.clone());
    if let Some(id) = parent.id() {
        id_owned(id.clone());
        id_ref(&id);
    }
    option_id(parent.id());
    option_id_ref(&parent.id());
    new_root();
    context_ref(&Context::new());
    context_owned(Context::current());
    let remote = SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    span_context(remote.clone());
    span_context_ref(&remote);
    expression();
    with_fields(&Context::new(), "label");
    let _ = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async_parent(&Context::new()));
    drop(parent);

    let remote_child = capture.span("span_context");
    assert_eq!(remote_child.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(capture.span("with_fields").i64_attr("d"), Some(4));
}
