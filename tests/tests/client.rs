//! `#[traced_client]` with a real reqwest client against real local servers that record what
//! they received; one trace across two servers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use traced_tests::{Capture, ExportedSpan, SpanKind, SpanStatus, serve};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

/// The headers the downstream server received, one entry per request.
type Received = Arc<Mutex<Vec<HeaderMap>>>;

#[traced::traced_handler]
async fn inventory(
    State(received): State<Received>,
    Path(code): Path<u16>,
    headers: HeaderMap,
) -> StatusCode {
    received.lock().unwrap().push(headers);
    StatusCode::from_u16(code).unwrap()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

/// The downstream service: answers `/status/{code}` with that code, `/slow` late.
async fn downstream() -> (SocketAddr, Received) {
    let received = Received::default();
    let app = Router::new()
        .route("/status/{code}", get(inventory).post(inventory))
        .route("/slow", get(slow))
        .with_state(received.clone());
    (serve(app).await, received)
}

#[derive(Clone)]
struct InventoryClient {
    http: reqwest::Client,
    base: String,
}

impl InventoryClient {
    #[traced::traced_client(template = "/status/{code}", fields(code = code))]
    async fn check(&self, code: u16) -> Result<u16, reqwest::Error> {
        let response = self
            .http
            .get(format!("{}/status/{code}", self.base))
            .send()
            .await?;
        Ok(response.status().as_u16())
    }

    #[traced::traced_client]
    async fn check_with_execute(&self, code: u16) -> Result<u16, reqwest::Error> {
        let request = self
            .http
            .post(format!("{}/status/{code}", self.base))
            .build()?;
        let response = self.http.execute(request).await?;
        Ok(response.status().as_u16())
    }

    #[traced::traced_client]
    async fn fetch(&self, url: &str) -> Result<u16, reqwest::Error> {
        Ok(self.http.get(url).send().await?.status().as_u16())
    }

    #[traced::traced_client(template = "/status/{code}")]
    async fn check_with_retries(&self, code: u16) -> Result<u16, String> {
        let mut last = 0;
        for _ in 0..3 {
            let response = self
                .http
                .get(format!("{}/status/{code}", self.base))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            last = response.status().as_u16();
            if last < 500 {
                break;
            }
        }
        Err(format!("gave up after {last}"))
    }
}

fn client_spans(capture: &Capture) -> Vec<ExportedSpan> {
    capture
        .spans()
        .into_iter()
        .filter(|s| s.kind == SpanKind::Client)
        .collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[traced::traced_handler]
async fn order(State(client): State<InventoryClient>) -> String {
    client.check(200).await.unwrap().to_string()
}

#[tokio::test]
async fn one_trace_across_two_servers_with_context_and_mesh_headers() {
    let capture = Capture::new();
    let (inventory_addr, received) = downstream().await;
    let inventory = InventoryClient {
        http: reqwest::Client::new(),
        base: format!("http://{inventory_addr}"),
    };
    let order_addr = serve(
        Router::new()
            .route("/api/orders", get(order))
            .with_state(inventory),
    )
    .await;

    let body = reqwest::Client::new()
        .get(format!("http://{order_addr}/api/orders"))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .header("tracestate", "congo=t61rcWkgMzE")
        .header("baggage", "tenant=acme")
        .header("x-request-id", "req-42")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "200");

    let spans = capture.spans();
    let servers: Vec<_> = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Server)
        .collect();
    assert_eq!(servers.len(), 2, "{spans:#?}");
    let upstream = servers
        .iter()
        .find(|s| s.name == "GET /api/orders")
        .unwrap();
    let downstream = servers
        .iter()
        .find(|s| s.name == "GET /status/{code}")
        .unwrap();
    let client = client_spans(&capture);
    assert_eq!(client.len(), 1, "one request, one CLIENT span");
    let client = &client[0];

    // SERVER -> CLIENT -> downstream SERVER, one trace id.
    for span in [*upstream, client, *downstream] {
        assert_eq!(span.trace_id, TRACE_ID);
    }
    assert_eq!(upstream.parent_span_id.as_deref(), Some(PARENT_ID));
    assert_eq!(
        client.parent_span_id.as_deref(),
        Some(upstream.span_id.as_str())
    );
    assert_eq!(
        downstream.parent_span_id.as_deref(),
        Some(client.span_id.as_str())
    );

    // What the downstream server received names the CLIENT span.
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let headers = &received[0];
    assert_eq!(
        header(headers, "traceparent"),
        Some(format!("00-{TRACE_ID}-{}-01", client.span_id).as_str())
    );
    assert_eq!(headers.get_all("traceparent").iter().count(), 1);
    assert_eq!(header(headers, "tracestate"), Some("congo=t61rcWkgMzE"));
    assert_eq!(header(headers, "baggage"), Some("tenant=acme"));
    assert_eq!(header(headers, "x-request-id"), Some("req-42"));

    // The CLIENT span: name, attributes and types.
    assert_eq!(client.name, "GET /status/{code}");
    assert_eq!(client.str_attr("http.request.method"), Some("GET"));
    assert_eq!(
        client.str_attr("url.full"),
        Some(format!("http://{inventory_addr}/status/200").as_str())
    );
    assert_eq!(client.str_attr("url.template"), Some("/status/{code}"));
    assert_eq!(client.str_attr("server.address"), Some("127.0.0.1"));
    assert_eq!(
        client.i64_attr("server.port"),
        Some(i64::from(inventory_addr.port()))
    );
    assert_eq!(client.str_attr("url.scheme"), Some("http"));
    assert_eq!(client.i64_attr("http.response.status_code"), Some(200));
    assert_eq!(client.str_attr("network.protocol.version"), Some("1.1"));
    assert_eq!(client.i64_attr("code"), Some(200));
    assert_eq!(client.status, SpanStatus::Unset);
}

#[tokio::test]
async fn status_rules_for_2xx_4xx_5xx() {
    let capture = Capture::new();
    let (addr, _) = downstream().await;
    let inventory = InventoryClient {
        http: reqwest::Client::new(),
        base: format!("http://{addr}"),
    };
    for (code, error) in [(204, false), (404, true), (503, true)] {
        assert_eq!(inventory.check(code).await.unwrap(), code);
        let spans = client_spans(&capture);
        let span = spans.last().unwrap();
        assert_eq!(
            span.i64_attr("http.response.status_code"),
            Some(i64::from(code))
        );
        if error {
            let expected = code.to_string();
            assert_eq!(span.str_attr("error.type"), Some(expected.as_str()));
            assert!(matches!(span.status, SpanStatus::Error(_)));
        } else {
            assert!(span.attr("error.type").is_none());
            assert_eq!(span.status, SpanStatus::Unset);
        }
    }
    // Client::execute is seen too.
    assert_eq!(inventory.check_with_execute(202).await.unwrap(), 202);
    let spans = client_spans(&capture);
    let span = spans.last().unwrap();
    assert_eq!(span.name, "POST");
    assert_eq!(span.i64_attr("http.response.status_code"), Some(202));
    assert_eq!(spans.len(), 4);
}

#[tokio::test]
async fn transport_errors_record_the_exception() {
    let capture = Capture::new();
    let (addr, _) = downstream().await;
    // A port nothing listens on: bind, note, close.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let refused = InventoryClient {
        http: reqwest::Client::new(),
        base: format!("http://{closed}"),
    };
    assert!(refused.check(200).await.is_err());
    let spans = client_spans(&capture);
    let span = spans.last().unwrap();
    assert_eq!(span.str_attr("error.type"), Some("connection_refused"));
    assert!(matches!(span.status, SpanStatus::Error(_)));
    let exception = span.event("exception").expect("exception event");
    assert!(exception.str_attr("exception.stacktrace").is_some());
    assert!(span.attr("http.response.status_code").is_none());

    let impatient = InventoryClient {
        http: reqwest::Client::builder()
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap(),
        base: format!("http://{addr}"),
    };
    assert!(
        impatient
            .fetch(&format!("http://{addr}/slow"))
            .await
            .is_err()
    );
    let spans = client_spans(&capture);
    let span = spans.last().unwrap();
    assert_eq!(span.str_attr("error.type"), Some("timeout"));
    assert!(matches!(span.status, SpanStatus::Error(_)));
}

#[tokio::test]
async fn credentials_and_signed_parameters_are_redacted() {
    let capture = Capture::new();
    let (addr, _) = downstream().await;
    let client = InventoryClient {
        http: reqwest::Client::new(),
        base: String::new(),
    };
    let url = format!(
        "http://user:secret@127.0.0.1:{}/status/200?sig=abc&keep=1&X-Amz-Credential=k",
        addr.port()
    );
    assert_eq!(client.fetch(&url).await.unwrap(), 200);
    let span = &client_spans(&capture)[0];
    // reqwest moves the credentials into an Authorization header before the send: they
    // never reach url.full.
    assert_eq!(
        span.str_attr("url.full"),
        Some(
            format!(
                "http://127.0.0.1:{}/status/200?sig=REDACTED&keep=1&X-Amz-Credential=REDACTED",
                addr.port()
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn a_retry_loop_gives_one_span_per_attempt_with_resend_count() {
    let capture = Capture::new();
    let (addr, received) = downstream().await;
    let client = InventoryClient {
        http: reqwest::Client::new(),
        base: format!("http://{addr}"),
    };
    assert!(client.check_with_retries(503).await.is_err());
    let spans = client_spans(&capture);
    assert_eq!(spans.len(), 3, "{spans:#?}");
    let first = spans
        .iter()
        .find(|s| s.attr("http.request.resend_count").is_none())
        .unwrap();
    let mut counts: Vec<i64> = spans
        .iter()
        .filter_map(|s| s.i64_attr("http.request.resend_count"))
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, [1, 2]);
    // Attempts are siblings, and each request carried its own span.
    for span in &spans {
        assert_eq!(span.parent_span_id, first.parent_span_id);
        assert!(matches!(span.status, SpanStatus::Error(_)));
    }
    let received = received.lock().unwrap();
    let parents: Vec<String> = received
        .iter()
        .map(|h| header(h, "traceparent").unwrap()[36..52].to_owned())
        .collect();
    let mut ids: Vec<String> = spans.iter().map(|s| s.span_id.clone()).collect();
    ids.sort();
    let mut parents_sorted = parents.clone();
    parents_sorted.sort();
    assert_eq!(parents_sorted, ids);
    // The function's own Err does not replace the status code as error.type.
    assert_eq!(first.str_attr("error.type"), Some("503"));
}

#[tokio::test]
async fn a_cancelled_request_ends_its_span_without_error() {
    let capture = Capture::new();
    let (addr, _) = downstream().await;
    let client = InventoryClient {
        http: reqwest::Client::new(),
        base: format!("http://{addr}"),
    };
    let url = format!("http://{addr}/slow");
    let outcome = tokio::time::timeout(Duration::from_millis(100), client.fetch(&url)).await;
    assert!(outcome.is_err(), "cancelled");
    let spans = client_spans(&capture);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].status, SpanStatus::Unset);
    assert!(spans[0].attr("http.response.status_code").is_none());
}

#[traced::traced_client(method = "PUT", url = url, template = "/hooks/{id}")]
fn declared(url: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    traced::http::inject_headers(&mut headers);
    headers
}

#[test]
fn a_declared_request_starts_with_its_attributes_and_injects_by_hand() {
    let capture = Capture::new();
    let headers = declared("https://hooks.example.com/hooks/7");
    let span = &client_spans(&capture)[0];
    assert_eq!(span.name, "PUT /hooks/{id}");
    assert_eq!(span.str_attr("server.address"), Some("hooks.example.com"));
    assert_eq!(span.i64_attr("server.port"), Some(443));
    let traceparent = header(&headers, "traceparent").unwrap();
    assert_eq!(
        traceparent,
        format!("00-{}-{}-03", span.trace_id, span.span_id)
    );
}

#[test]
fn a_declared_request_the_sampler_drops_carries_the_decision_on() {
    // Dropped: nothing is exported, and the next service is told the trace is not sampled
    // (that the URL is not even read is checked by `http::client`'s unit tests).
    let capture = Capture::with_kind(traced::sampling::SamplerKind::AlwaysOff);
    let headers = declared("https://hooks.example.com/hooks/7");
    assert!(capture.spans().is_empty());
    let traceparent = header(&headers, "traceparent").expect("the context is injected");
    let fields: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(fields.len(), 4, "{traceparent}");
    assert_eq!(fields[0], "00");
    assert!(
        fields[1].len() == 32 && fields[1] != "0".repeat(32),
        "{traceparent}"
    );
    assert!(
        fields[2].len() == 16 && fields[2] != "0".repeat(16),
        "{traceparent}"
    );
    let flags = u8::from_str_radix(fields[3], 16).unwrap();
    assert_eq!(flags & 1, 0, "not sampled: {traceparent}");
}

#[traced::traced(kind = client)]
fn grpc_call() -> tonic::Request<()> {
    let mut request = tonic::Request::new(());
    traced::http::inject_metadata(request.metadata_mut());
    request
}

#[test]
fn tonic_metadata_carries_the_context_both_ways() {
    use opentelemetry::trace::TraceContextExt as _;
    let capture = Capture::new();
    let request = grpc_call();
    let span = &client_spans(&capture)[0];
    let cx = traced::http::extract_metadata(request.metadata());
    let remote = cx.span().span_context().clone();
    assert!(remote.is_remote());
    assert_eq!(remote.trace_id().to_string(), span.trace_id);
    assert_eq!(remote.span_id().to_string(), span.span_id);
    assert!(remote.is_sampled());
}

#[traced::traced]
async fn restock(client: &InventoryClient) -> bool {
    client.check_with_retries(503).await.is_err()
}

#[tokio::test]
async fn retries_inside_a_span_are_all_its_children_in_its_trace() {
    let capture = Capture::new();
    let (addr, _received) = downstream().await;
    let client = InventoryClient {
        http: reqwest::Client::new(),
        base: format!("http://{addr}"),
    };
    assert!(restock(&client).await);
    let caller = capture.span("restock");
    let spans = client_spans(&capture);
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for span in &spans {
        assert_eq!(
            span.parent_span_id.as_deref(),
            Some(caller.span_id.as_str())
        );
        assert_eq!(span.trace_id, caller.trace_id);
    }
}
