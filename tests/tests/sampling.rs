//! The layer's own sampling decision (`TracedLayer::with_sampler`, as `traced::init!` sets
//! it up): what is exported, and that a span the sampler drops still carries its trace to
//! children and outgoing requests, unsampled.

use http::HeaderMap;
use opentelemetry::trace::{SpanContext, TraceContextExt as _, TraceId};
use opentelemetry::{Context, KeyValue};
use traced::sampling::SamplerKind;
use traced::{SpanStart, traced};
use traced_tests::{Capture, SpanStatus};
use tracing_subscriber::filter::LevelFilter;

/// The context of the span this runs in, and the `traceparent` a request sent from it gets.
#[traced]
fn child() -> (SpanContext, String) {
    let cx = traced::current_context();
    let mut headers = HeaderMap::new();
    traced::propagation::inject(&cx, &mut headers);
    let traceparent = headers
        .get("traceparent")
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .unwrap_or_default();
    (cx.span().span_context().clone(), traceparent)
}

#[traced(fields(order_id))]
fn parent() -> (SpanContext, SpanContext, String) {
    tracing::info!(step = "started", "an event in a dropped span");
    traced::record!(order_id = 7_i64);
    let own = traced::current_context().span().span_context().clone();
    let (child, traceparent) = child();
    (own, child, traceparent)
}

#[traced]
fn failing() -> Result<(), std::io::Error> {
    Err(std::io::Error::other("the disk is gone"))
}

/// What a request carrying `traceparent` with these flags continues.
fn remote(flags: &str) -> Context {
    let mut headers = HeaderMap::new();
    let traceparent = format!("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-{flags}");
    headers.insert("traceparent", traceparent.parse().expect("a header value"));
    traced::propagation::extract(&headers)
}

#[test]
fn a_dropped_root_exports_nothing_and_its_children_continue_its_trace_unsampled() {
    let capture = Capture::with_kind(SamplerKind::ParentBasedAlwaysOff);
    let (own, child, traceparent) = parent();
    assert!(failing().is_err());
    assert!(capture.spans().is_empty(), "{:?}", capture.spans());

    assert!(own.is_valid() && child.is_valid());
    assert!(!own.is_sampled() && !child.is_sampled());
    assert_eq!(own.trace_id(), child.trace_id(), "one trace");
    assert_ne!(own.span_id(), child.span_id(), "each span its own id");
    assert_eq!(
        traceparent,
        format!("00-{}-{}-02", child.trace_id(), child.span_id()),
        "a request from the child continues the trace, unsampled (and random: the ids are ours)"
    );
}

#[test]
fn an_unsampled_remote_parent_drops_the_span_and_keeps_the_callers_trace() {
    let capture = Capture::with_kind(SamplerKind::ParentBasedAlwaysOn);
    let span = SpanStart::default()
        .parent(remote("00"))
        .create(|| tracing::info_span!("handle"));
    let (sc, traceparent) = span.in_scope(child);
    drop(span);
    assert!(capture.spans().is_empty(), "{:?}", capture.spans());
    assert_eq!(
        sc.trace_id(),
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736)
    );
    assert!(!sc.is_sampled());
    assert!(traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
    assert!(traceparent.ends_with("-00"));
}

#[test]
fn a_sampled_remote_parent_is_followed_even_when_roots_are_off() {
    let capture = Capture::with_kind(SamplerKind::ParentBasedAlwaysOff);
    let span = SpanStart::default()
        .parent(remote("01"))
        .attributes([KeyValue::new("http.route", "/orders")])
        .create(|| tracing::info_span!("handle"));
    span.in_scope(child);
    drop(span);
    let handle = capture.span("handle");
    let child = capture.span("child");
    assert_eq!(handle.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(handle.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));
    assert_eq!(
        child.parent_span_id.as_deref(),
        Some(handle.span_id.as_str())
    );
    assert_eq!(handle.str_attr("http.route"), Some("/orders"));
}

#[traced::traced_client(method = "GET", url = url, parent = &cx)]
fn declared_under(cx: Context, url: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    traced::http::inject_headers(&mut headers);
    headers
}

#[traced::traced_query("SELECT id FROM orders WHERE id = $1", system = "postgresql", parent = &cx)]
async fn query_under(cx: Context, id: i64) -> Result<Option<i64>, std::io::Error> {
    Ok(Some(id))
}

#[test]
fn a_declared_client_and_a_query_are_sampled_on_their_explicit_parent() {
    // A root here would be dropped; the sampled remote parent given decides instead.
    let capture = Capture::with_kind(SamplerKind::ParentBasedAlwaysOff);
    let headers = declared_under(remote("01"), "http://inventory.internal/items/7");
    let mut query = std::pin::pin!(query_under(remote("01"), 7));
    let polled = query
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    assert!(matches!(polled, std::task::Poll::Ready(Ok(Some(7)))));

    for name in ["GET", "SELECT orders"] {
        let span = capture.span(name);
        assert_eq!(span.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736", "{name}");
        assert_eq!(
            span.parent_span_id.as_deref(),
            Some("00f067aa0ba902b7"),
            "{name}"
        );
    }
    assert_eq!(
        capture.span("GET").str_attr("server.address"),
        Some("inventory.internal")
    );
    assert_eq!(
        capture.span("SELECT orders").str_attr("db.system.name"),
        Some("postgresql")
    );
    let traceparent = headers["traceparent"].to_str().unwrap();
    assert!(
        traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-")
            && traceparent.ends_with("-01"),
        "{traceparent}"
    );
}

#[test]
fn force_trace_records_what_the_sampler_would_drop() {
    let capture = Capture::with_kind(SamplerKind::AlwaysOff);
    let span = SpanStart::default()
        .parent(Context::new().with_value(traced::http::ForceTrace))
        .create(|| tracing::info_span!("forced"));
    span.in_scope(|| {
        let _ = failing();
    });
    drop(span);
    let forced = capture.span("forced");
    let failing = capture.span("failing");
    assert_eq!(
        failing.parent_span_id.as_deref(),
        Some(forced.span_id.as_str())
    );
    assert!(matches!(failing.status, SpanStatus::Error(_)));
}

/// The spans of a sampled trace carry the events and fields a dropped one never visits.
#[test]
fn sampled_spans_still_get_their_fields_and_events() {
    let capture = Capture::with_kind(SamplerKind::ParentBasedAlwaysOn);
    let (own, child, traceparent) = parent();
    let parent = capture.span("parent");
    assert_eq!(parent.i64_attr("order_id"), Some(7));
    assert!(parent.event("an event in a dropped span").is_some());
    assert!(own.is_sampled() && child.is_sampled());
    assert_eq!(
        traceparent,
        format!("00-{}-{}-03", child.trace_id(), child.span_id())
    );
    assert_eq!(capture.span("child").parent_span_id, Some(parent.span_id));
}

const ROOTS: usize = 2000;

/// With a ratio of 0.5, 2000 roots give 1000 ± 22 (one standard deviation) sampled traces;
/// deciding twice on different ids would give about 500.
fn ratio_roots_are_sampled_once(capture: &Capture) {
    for _ in 0..ROOTS {
        drop(tracing::info_span!("root"));
    }
    let spans = capture.spans();
    assert!(
        (850..=1150).contains(&spans.len()),
        "{} of {ROOTS} roots sampled at a ratio of 0.5",
        spans.len()
    );
    for span in &spans {
        // The SDK's rule: the low 63 bits of the id's last eight bytes under the bound.
        let low = u64::from_str_radix(&span.trace_id[16..], 16).expect("hex");
        assert!(
            low >> 1 < 1 << 62,
            "{} is not sampled at 0.5",
            span.trace_id
        );
    }
}

#[test]
fn ratio_roots_decided_by_the_layer_are_sampled_at_the_ratio() {
    ratio_roots_are_sampled_once(&Capture::with_kind(SamplerKind::TraceIdRatio(0.5)));
}

#[test]
fn a_provider_with_its_own_ids_is_left_to_decide_ratio_roots() {
    ratio_roots_are_sampled_once(&Capture::with_kind_and_sdk_ids(
        SamplerKind::ParentBasedTraceIdRatio(0.5),
    ));
}

/// Whether the function's own `tracing` span exists, and the context it runs in.
#[traced]
fn probe() -> (bool, SpanContext) {
    let exists = !tracing::Span::current().is_none();
    (
        exists,
        traced::current_context().span().span_context().clone(),
    )
}

#[traced]
fn outer_probe() -> (SpanContext, (bool, SpanContext), SpanContext) {
    let own = traced::current_context().span().span_context().clone();
    let inner = probe();
    // A plain `tracing` span in a left-out span continues the same unsampled trace.
    let plain = tracing::info_span!("plain")
        .in_scope(|| traced::current_context().span().span_context().clone());
    (own, inner, plain)
}

#[test]
fn dropped_spans_are_left_out_and_their_trace_goes_on_unsampled() {
    let capture = Capture::with_kind_skipping(SamplerKind::ParentBasedAlwaysOff, LevelFilter::OFF);
    let (own, (exists, inner), plain) = outer_probe();
    let (_, traceparent) = child();
    assert!(capture.spans().is_empty(), "{:?}", capture.spans());
    assert!(!exists, "no tracing span is created for a left-out span");
    assert!(
        own.is_valid() && !own.is_sampled(),
        "the root has its own unsampled trace"
    );
    assert_eq!(inner, own, "a left-out child runs in its parent's context");
    assert_eq!(plain.trace_id(), own.trace_id());
    assert!(!plain.is_sampled());
    assert!(
        traceparent.starts_with("00-") && traceparent.ends_with("-02"),
        "a request from a left-out root still sends its trace: {traceparent}"
    );
    assert!(
        traced::current_context().span().span_context().trace_id() != own.trace_id(),
        "the root's context is not current once it returned"
    );
}

#[test]
fn spans_that_another_layer_shows_are_not_left_out() {
    let capture = Capture::with_kind_skipping(SamplerKind::ParentBasedAlwaysOff, LevelFilter::INFO);
    let (exists, sc) = probe();
    assert!(
        exists,
        "an INFO span stays for a layer that shows INFO spans"
    );
    assert!(!sc.is_sampled());
    assert!(capture.spans().is_empty());
}

#[test]
fn sampled_and_forced_spans_are_never_left_out() {
    let capture = Capture::with_kind_skipping(SamplerKind::ParentBasedAlwaysOn, LevelFilter::OFF);
    let (exists, _) = probe();
    assert!(exists);
    assert_eq!(capture.spans().len(), 1);

    let capture = Capture::with_kind_skipping(SamplerKind::AlwaysOff, LevelFilter::OFF);
    let _forced = Context::new().with_value(traced::http::ForceTrace).attach();
    let (exists, sc) = probe();
    assert!(exists && sc.is_sampled());
    assert_eq!(capture.span("probe").kind, traced_tests::SpanKind::Internal);
}

#[traced]
async fn async_probe() -> (SpanContext, SpanContext) {
    let before = traced::current_context().span().span_context().clone();
    tokio::task::yield_now().await;
    let after = traced::current_context().span().span_context().clone();
    (before, after)
}

#[tokio::test(flavor = "current_thread")]
async fn a_left_out_async_root_keeps_its_context_across_awaits() {
    let capture = Capture::with_kind_skipping(SamplerKind::ParentBasedAlwaysOff, LevelFilter::OFF);
    let (before, after) = async_probe().await;
    assert!(before.is_valid() && !before.is_sampled());
    assert_eq!(before, after);
    assert!(capture.spans().is_empty());
}

mod over_http {
    //! The request attributes decide first too: a request the sampler drops builds no
    //! attributes, and still sends its trace on, unsampled.

    use std::sync::Arc;

    use axum::Router;
    use axum::extract::State;
    use axum::http::HeaderMap as AxumHeaders;
    use axum::routing::get;
    use traced::sampling::SamplerKind;
    use traced_tests::{Capture, SpanKind, serve};

    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    /// The downstream service: answers with the `traceparent` it received.
    async fn echo(headers: AxumHeaders) -> String {
        headers
            .get("traceparent")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    #[traced::traced_client(template = "/echo")]
    async fn fetch(url: &str) -> Result<String, reqwest::Error> {
        reqwest::Client::new().get(url).send().await?.text().await
    }

    #[traced::traced_query("SELECT 1")]
    async fn select_one(pool: &sqlx::SqlitePool) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT 1").fetch_one(pool).await
    }

    #[derive(Clone)]
    struct App {
        echo: Arc<str>,
        pool: sqlx::SqlitePool,
    }

    #[traced::traced_handler]
    async fn front(State(app): State<App>) -> String {
        let one = select_one(&app.pool).await.expect("SELECT 1");
        assert_eq!(one, 1);
        fetch(&app.echo).await.expect("the echo service answers")
    }

    async fn start() -> String {
        let echo = serve(Router::new().route("/echo", get(echo))).await;
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let app = App {
            echo: format!("http://{echo}/echo").into(),
            pool,
        };
        let front = serve(Router::new().route("/front", get(front)).with_state(app)).await;
        format!("http://{front}/front")
    }

    #[tokio::test]
    async fn an_unsampled_request_exports_nothing_and_sends_its_trace_on() {
        let capture = Capture::with_kind(SamplerKind::ParentBasedAlwaysOn);
        let url = start().await;
        let sent = reqwest::Client::new()
            .get(&url)
            .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-00"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            sent.starts_with(&format!("00-{TRACE_ID}-")) && sent.ends_with("-00"),
            "downstream got {sent:?}"
        );
        assert!(
            !sent.contains("00f067aa0ba902b7"),
            "a span of ours is its parent"
        );
        assert!(capture.spans().is_empty(), "{:#?}", capture.spans());
    }

    /// Roots under a ratio: the decision taken before the attributes is the one the span
    /// gets, so every exported server span has its attributes, and about half are exported.
    #[tokio::test]
    async fn ratio_roots_over_http_are_sampled_once_with_their_attributes() {
        let capture = Capture::with_kind(SamplerKind::TraceIdRatio(0.5));
        let url = start().await;
        let client = reqwest::Client::new();
        for _ in 0..200 {
            client.get(&url).send().await.unwrap().text().await.unwrap();
        }
        let spans = capture.spans();
        let servers: Vec<_> = spans
            .iter()
            .filter(|s| s.kind == SpanKind::Server)
            .collect();
        assert!(
            (60..=140).contains(&servers.len()),
            "{} of 200 requests sampled at 0.5",
            servers.len()
        );
        for server in servers {
            assert_eq!(server.str_attr("http.route"), Some("/front"));
            assert_eq!(server.str_attr("url.path"), Some("/front"));
            let children: Vec<_> = spans
                .iter()
                .filter(|s| s.parent_span_id.as_deref() == Some(server.span_id.as_str()))
                .collect();
            assert_eq!(
                children.len(),
                2,
                "the query and the request: {children:#?}"
            );
            for child in children {
                assert_eq!(child.trace_id, server.trace_id);
                assert!(
                    child.str_attr("db.system.name") == Some("sqlite")
                        || child.str_attr("url.template") == Some("/echo"),
                    "{child:#?}"
                );
            }
        }
    }
}

/// The skip question reads what was decided for the innermost entered span; a span entered
/// on another thread than the one that created it is looked up instead. Either way a
/// child decides as its parent did.
#[test]
fn children_decide_as_their_parent_whichever_thread_made_it() {
    let capture = Capture::with_kind_skipping(SamplerKind::ParentBasedAlwaysOn, LevelFilter::OFF);
    // A sampled parent made and entered here: its children are kept.
    let (_, (exists, inner), _) = outer_probe();
    assert!(exists && inner.is_sampled());
    assert_eq!(
        capture.spans().iter().filter(|s| s.name == "probe").count(),
        1
    );

    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    let made_elsewhere = |remote_flags: &'static str| {
        let dispatch = dispatch.clone();
        std::thread::spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || {
                SpanStart::default()
                    .parent(remote(remote_flags))
                    .create(|| tracing::info_span!("made elsewhere"))
            })
        })
        .join()
        .unwrap()
    };
    let own_id = |span: &tracing::Span| traced::context_of(span).span().span_context().span_id();
    let sampled = made_elsewhere("01");
    let (_, sc) = sampled.in_scope(probe);
    assert!(sc.is_sampled(), "a sampled parent's child is kept");
    assert_ne!(
        sc.span_id(),
        own_id(&sampled),
        "the child has a span of its own"
    );
    let unsampled = made_elsewhere("00");
    let (_, sc) = unsampled.in_scope(probe);
    assert!(!sc.is_sampled());
    assert_eq!(
        sc.span_id(),
        own_id(&unsampled),
        "an unsampled parent's child is left out: it runs in its parent's context"
    );
    assert_eq!(
        sc.trace_id(),
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736)
    );
    drop((sampled, unsampled));
    let probes = capture.spans().iter().filter(|s| s.name == "probe").count();
    assert_eq!(probes, 2, "the two children of sampled parents");
}

/// `AlwaysOn` keeps every span without asking its sampler anything: a span under an
/// unsampled remote parent is sampled and exported, in the parent's trace, under the
/// parent, with the parent's tracestate.
#[test]
fn always_on_keeps_a_span_of_an_unsampled_parent_with_its_trace_state() {
    let capture = Capture::with_kind(SamplerKind::AlwaysOn);
    let mut headers = HeaderMap::new();
    headers.insert(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
            .parse()
            .expect("a header value"),
    );
    headers.insert(
        "tracestate",
        "congo=t61rcWkgMzE".parse().expect("a header value"),
    );
    let span = SpanStart::default()
        .parent(traced::propagation::extract(&headers))
        .create(|| tracing::info_span!("kept"));
    let sc = traced::context_of(&span).span().span_context().clone();
    drop(span);
    assert!(sc.is_sampled());
    assert_eq!(sc.trace_state().header(), "congo=t61rcWkgMzE");
    let spans = capture.spans();
    let kept = spans
        .iter()
        .find(|s| s.name == "kept")
        .unwrap_or_else(|| panic!("{spans:#?}"));
    assert_eq!(kept.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(kept.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));
    assert_eq!(kept.trace_state, "congo=t61rcWkgMzE");
}
