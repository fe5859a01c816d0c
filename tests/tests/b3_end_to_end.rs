//! B3 through `OTEL_PROPAGATORS`-style configuration, end to end: a caller speaking B3
//! reaches a `#[traced_handler]`, whose `#[traced_client]` call speaks B3 to the next
//! server. One test function: the propagator is process-wide.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use traced_tests::{Capture, SpanKind, serve};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

type Received = Arc<Mutex<Vec<HeaderMap>>>;

async fn record(State(received): State<Received>, headers: HeaderMap) -> &'static str {
    received.lock().unwrap().push(headers);
    "ok"
}

#[traced::traced_client]
async fn call(url: String) -> reqwest::Result<String> {
    reqwest::Client::new().get(url).send().await?.text().await
}

#[traced::traced_handler]
async fn front(State(next): State<String>) -> String {
    call(next).await.unwrap()
}

#[tokio::test]
async fn b3_single_and_multi_header_in_and_out() {
    let capture = Capture::new();
    let received = Received::default();
    let next = serve(
        Router::new()
            .route("/next", get(record))
            .with_state(received.clone()),
    )
    .await;
    let front_addr = serve(
        Router::new()
            .route("/front", get(front))
            .with_state(format!("http://{next}/next")),
    )
    .await;
    let client = reqwest::Client::new();

    for (config, single) in [("b3", true), ("b3multi", false)] {
        traced::propagation::set_propagator(traced::propagation::from_env_value(config).unwrap());
        let mut request = client.get(format!("http://{front_addr}/front"));
        request = if single {
            request.header("b3", format!("{TRACE_ID}-{PARENT_ID}-1"))
        } else {
            request
                .header("x-b3-traceid", TRACE_ID)
                .header("x-b3-spanid", PARENT_ID)
                .header("x-b3-sampled", "1")
        };
        assert_eq!(request.send().await.unwrap().text().await.unwrap(), "ok");

        let spans = capture.spans();
        let server = spans
            .iter()
            .rev()
            .find(|s| s.kind == SpanKind::Server)
            .unwrap();
        let outgoing = spans
            .iter()
            .rev()
            .find(|s| s.kind == SpanKind::Client)
            .unwrap();
        assert_eq!(server.trace_id, TRACE_ID, "{config}");
        assert_eq!(
            server.parent_span_id.as_deref(),
            Some(PARENT_ID),
            "{config}"
        );
        assert_eq!(
            outgoing.parent_span_id.as_deref(),
            Some(server.span_id.as_str())
        );

        let headers = received.lock().unwrap().pop().unwrap();
        let get = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(get("traceparent"), None, "{config}: only B3 configured");
        if single {
            assert_eq!(
                get("b3"),
                Some(format!("{TRACE_ID}-{}-1", outgoing.span_id))
            );
            assert_eq!(get("x-b3-traceid"), None);
        } else {
            assert_eq!(get("x-b3-traceid").as_deref(), Some(TRACE_ID));
            assert_eq!(get("x-b3-spanid"), Some(outgoing.span_id.clone()));
            assert_eq!(get("x-b3-sampled").as_deref(), Some("1"));
            assert_eq!(get("b3"), None);
        }
    }
}
