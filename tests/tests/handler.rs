//! `#[traced_handler]` on real axum servers on 127.0.0.1, called with real HTTP requests;
//! assertions on the exported spans.

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry_sdk::trace::Sampler;
use traced::http::axum::{FallbackSpanLayer, Incoming};
use traced::sampling::ForceTraceSampler;
use traced_tests::{AttrValue, Capture, ExportedSpan, SpanKind, SpanStatus, serve};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn servers(capture: &Capture) -> Vec<ExportedSpan> {
    capture
        .spans()
        .into_iter()
        .filter(|s| s.kind == SpanKind::Server)
        .collect()
}

fn only_server(capture: &Capture) -> ExportedSpan {
    let spans = servers(capture);
    assert_eq!(spans.len(), 1, "expected one SERVER span, got {spans:#?}");
    spans.into_iter().next().unwrap()
}

#[traced::traced_handler(fields(order_id = id))]
async fn get_order(Path(id): Path<u64>) -> String {
    format!("order {id}")
}

#[tokio::test]
async fn server_span_continues_the_callers_trace_with_semconv_attributes() {
    let capture = Capture::new();
    let addr = serve(Router::new().route("/api/orders/{id}", get(get_order))).await;
    let response = client()
        .get(format!(
            "http://{addr}/api/orders/7?q=1&sig=secret&X-Amz-Signature=abc"
        ))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .header("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        .header("user-agent", "traced-test/1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "order 7");

    let span = only_server(&capture);
    assert_eq!(span.name, "GET /api/orders/{id}");
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(span.trace_id, TRACE_ID);
    assert_eq!(span.parent_span_id.as_deref(), Some(PARENT_ID));
    assert_eq!(span.trace_state, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assert_eq!(span.str_attr("http.request.method"), Some("GET"));
    assert_eq!(span.str_attr("http.route"), Some("/api/orders/{id}"));
    assert_eq!(span.str_attr("url.path"), Some("/api/orders/7"));
    assert_eq!(
        span.str_attr("url.query"),
        Some("q=1&sig=REDACTED&X-Amz-Signature=REDACTED")
    );
    assert_eq!(span.str_attr("url.scheme"), Some("http"));
    assert_eq!(span.str_attr("server.address"), Some("127.0.0.1"));
    assert_eq!(span.i64_attr("server.port"), Some(i64::from(addr.port())));
    assert_eq!(span.str_attr("client.address"), Some("127.0.0.1"));
    assert_eq!(span.str_attr("network.peer.address"), Some("127.0.0.1"));
    assert!(span.i64_attr("network.peer.port").is_some());
    assert_eq!(
        span.str_attr("user_agent.original"),
        Some("traced-test/1.0")
    );
    assert_eq!(span.str_attr("network.protocol.version"), Some("1.1"));
    assert_eq!(span.i64_attr("http.response.status_code"), Some(200));
    assert_eq!(span.i64_attr("order_id"), Some(7));
    assert_eq!(span.status, SpanStatus::Unset);
    assert!(span.attr("error.type").is_none());
    assert!(span.attr("http.request.method_original").is_none());
}

#[traced::traced_handler]
async fn anything() -> &'static str {
    "ok"
}

#[tokio::test]
async fn unknown_methods_are_other_and_named_http() {
    let capture = Capture::new();
    let addr = serve(Router::new().route("/things", axum::routing::any(anything))).await;
    let method = reqwest::Method::from_bytes(b"PURGE").unwrap();
    let response = client()
        .request(method, format!("http://{addr}/things"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let span = only_server(&capture);
    assert_eq!(span.name, "HTTP /things");
    assert_eq!(span.str_attr("http.request.method"), Some("_OTHER"));
    assert_eq!(span.str_attr("http.request.method_original"), Some("PURGE"));
    // No traceparent: a new trace.
    assert_eq!(span.parent_span_id, None);
}

#[derive(Debug)]
enum AppError {
    NotFound,
    Database(std::io::Error),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotFound => f.write_str("no such order"),
            AppError::Database(_) => f.write_str("database failure"),
        }
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AppError::Database(e) => Some(e),
            AppError::NotFound => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "not found").into_response(),
            AppError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

#[traced::traced_handler]
async fn load(Path(id): Path<u64>) -> Result<Json<u64>, AppError> {
    match id {
        0 => Err(AppError::NotFound),
        1 => Err(AppError::Database(std::io::Error::other(
            "connection reset",
        ))),
        id => Ok(Json(id)),
    }
}

#[tokio::test]
async fn errors_follow_the_server_status_rules() {
    let capture = Capture::new();
    let addr = serve(Router::new().route("/load/{id}", get(load))).await;
    let client = client();

    // A 5xx failure: Error, the error's type, the exception with its cause.
    let response = client
        .get(format!("http://{addr}/load/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let span = only_server(&capture);
    assert_eq!(span.i64_attr("http.response.status_code"), Some(500));
    assert_eq!(span.status, SpanStatus::Error("database failure".into()));
    assert_eq!(span.str_attr("error.type"), Some("handler::AppError"));
    let exception = span.event("exception").expect("exception event");
    assert_eq!(
        exception.str_attr("exception.type"),
        Some("handler::AppError")
    );
    let stack = exception.str_attr("exception.stacktrace").unwrap();
    assert!(
        stack.contains("Caused by:") && stack.contains("connection reset"),
        "{stack}"
    );

    // A 4xx failure is the client's: status Unset, no error.type, no exception.
    let response = client
        .get(format!("http://{addr}/load/0"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let spans = servers(&capture);
    let span = spans.last().unwrap();
    assert_eq!(span.i64_attr("http.response.status_code"), Some(404));
    assert_eq!(span.status, SpanStatus::Unset);
    assert!(span.attr("error.type").is_none());
    assert!(span.event("exception").is_none());

    // Success.
    let response = client
        .get(format!("http://{addr}/load/9"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "9");
    let spans = servers(&capture);
    assert_eq!(spans.len(), 3);
    assert_eq!(spans[2].i64_attr("http.response.status_code"), Some(200));
    assert_eq!(spans[2].status, SpanStatus::Unset);
}

#[traced::traced_handler]
async fn unavailable() -> (StatusCode, String) {
    (StatusCode::SERVICE_UNAVAILABLE, "inventory down".to_owned())
}

#[traced::traced_handler]
async fn created() -> StatusCode {
    StatusCode::CREATED
}

#[traced::traced_handler]
async fn opaque(Path(code): Path<u16>) -> impl IntoResponse {
    StatusCode::from_u16(code).unwrap()
}

#[traced::traced_handler]
async fn raw() -> Response {
    (StatusCode::BAD_GATEWAY, "upstream").into_response()
}

#[tokio::test]
async fn every_return_type_gives_its_status_code() {
    let capture = Capture::new();
    let app = Router::new()
        .route("/unavailable", get(unavailable))
        .route("/created", post(created))
        .route("/opaque/{code}", get(opaque))
        .route("/raw", get(raw));
    let addr = serve(app).await;
    let client = client();
    let cases: [(reqwest::Method, &str, u16, Option<&str>); 5] = [
        (reqwest::Method::GET, "/unavailable", 503, Some("503")),
        (reqwest::Method::POST, "/created", 201, None),
        (reqwest::Method::GET, "/opaque/418", 418, None),
        (reqwest::Method::GET, "/opaque/504", 504, Some("504")),
        (reqwest::Method::GET, "/raw", 502, Some("502")),
    ];
    for (method, path, status, error_type) in cases {
        let response = client
            .request(method, format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        let spans = servers(&capture);
        let span = spans.last().unwrap();
        assert_eq!(
            span.i64_attr("http.response.status_code"),
            Some(i64::from(status)),
            "{path}"
        );
        assert_eq!(span.str_attr("error.type"), error_type, "{path}");
        match error_type {
            Some(_) => assert!(matches!(span.status, SpanStatus::Error(_)), "{path}"),
            None => assert_eq!(span.status, SpanStatus::Unset, "{path}"),
        }
    }
    assert_eq!(servers(&capture).len(), 5);
}

#[traced::traced_handler]
async fn explode() -> &'static str {
    panic!("handler exploded")
}

#[tokio::test]
async fn a_panicking_handler_ends_its_span_with_error() {
    let capture = Capture::new();
    let addr = serve(Router::new().route("/explode", get(explode))).await;
    let result = client().get(format!("http://{addr}/explode")).send().await;
    assert!(result.is_err(), "the connection closes on a panic");
    let span = only_server(&capture);
    assert_eq!(span.name, "GET /explode");
    assert!(matches!(span.status, SpanStatus::Error(ref m) if m.contains("handler exploded")));
    assert!(span.event("exception").is_some());
}

#[traced::traced_handler]
async fn echo_baggage() -> String {
    let cx = traced::current_context();
    let user = cx
        .baggage()
        .get("user.id")
        .map(|v| v.to_string())
        .unwrap_or_default();
    // The caller's trace id, as the handler's code sees it.
    let ids = traced::trace_ids(&tracing::Span::current())
        .map(|(trace, _)| trace.to_string())
        .unwrap_or_default();
    format!("{user} {ids}")
}

#[tokio::test]
async fn baggage_and_context_are_available_to_the_handler() {
    let _capture = Capture::new();
    let addr = serve(Router::new().route("/baggage", get(echo_baggage))).await;
    let body = client()
        .get(format!("http://{addr}/baggage"))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .header("baggage", "user.id=alice%20b,other=1;prop")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, format!("alice b {TRACE_ID}"));
}

#[tokio::test]
async fn malformed_trace_headers_start_a_new_trace_and_never_fail_the_request() {
    let capture = Capture::new();
    let addr = serve(Router::new().route("/api/orders/{id}", get(get_order))).await;
    let client = client();
    let valid = format!("00-{TRACE_ID}-{PARENT_ID}-01");
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("bad version", vec![format!("ff-{TRACE_ID}-{PARENT_ID}-01")]),
        (
            "short version",
            vec![format!("0-{TRACE_ID}-{PARENT_ID}-01")],
        ),
        (
            "zero trace id",
            vec![format!("00-{}-{PARENT_ID}-01", "0".repeat(32))],
        ),
        (
            "zero parent id",
            vec![format!("00-{TRACE_ID}-{}-01", "0".repeat(16))],
        ),
        (
            "short parent id",
            vec![format!("00-{TRACE_ID}-{}-01", &PARENT_ID[1..])],
        ),
        (
            "uppercase hex",
            vec![format!("00-{}-{PARENT_ID}-01", TRACE_ID.to_uppercase())],
        ),
        ("extra field on 00", vec![format!("{valid}-extra")]),
        ("wide flags", vec![format!("00-{TRACE_ID}-{PARENT_ID}-001")]),
        ("duplicated", vec![valid.clone(), valid.clone()]),
        ("junk", vec!["\u{1}\u{2}garbage".into()]),
    ];
    for (index, (what, lines)) in cases.iter().enumerate() {
        let mut request = client.get(format!("http://{addr}/api/orders/{index}"));
        for line in lines {
            if let Ok(value) = reqwest::header::HeaderValue::from_bytes(line.as_bytes()) {
                request = request.header("traceparent", value);
            }
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{what}");
        let spans = servers(&capture);
        let span = spans.last().unwrap();
        assert_eq!(span.parent_span_id, None, "{what}: must restart the trace");
        assert_ne!(span.trace_id, TRACE_ID, "{what}");
    }
}

#[tokio::test]
async fn force_trace_records_a_request_a_zero_ratio_would_drop() {
    let capture = Capture::with_sampler(ForceTraceSampler::new(Sampler::ParentBased(Box::new(
        Sampler::TraceIdRatioBased(0.0),
    ))));
    let addr = serve(Router::new().route("/api/orders/{id}", get(get_order))).await;
    let client = client();
    client
        .get(format!("http://{addr}/api/orders/1"))
        .send()
        .await
        .unwrap();
    assert!(servers(&capture).is_empty(), "ratio 0.0 drops the request");
    client
        .get(format!("http://{addr}/api/orders/2"))
        .header("x-force-trace", "true")
        .send()
        .await
        .unwrap();
    let span = only_server(&capture);
    assert_eq!(span.bool_attr("traced.force_trace"), Some(true));
    assert_eq!(span.i64_attr("order_id"), Some(2));
    // Even under an unsampled caller.
    client
        .get(format!("http://{addr}/api/orders/3"))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-00"))
        .header("x-force-trace", "TRUE")
        .send()
        .await
        .unwrap();
    let spans = servers(&capture);
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[1].trace_id, TRACE_ID);
}

#[tokio::test]
async fn request_id_is_recorded_and_kept_for_outgoing_requests() {
    let capture = Capture::new();
    let addr = serve(Router::new().route("/api/orders/{id}", get(get_order))).await;
    client()
        .get(format!("http://{addr}/api/orders/5"))
        .header("x-request-id", "req-123")
        .send()
        .await
        .unwrap();
    let span = only_server(&capture);
    assert_eq!(
        span.attr("http.request.header.x-request-id"),
        Some(&AttrValue::Array(vec![AttrValue::Str("req-123".into())]))
    );
}

#[derive(serde::Deserialize)]
struct NewOrder {
    customer_id: u64,
}

#[traced::traced_handler(name = "create order", fields(customer_id = body.customer_id, order_id))]
async fn create_order(Json(body): Json<NewOrder>) -> (StatusCode, String) {
    traced::record!(order_id = 42_i64);
    (StatusCode::CREATED, body.customer_id.to_string())
}

#[tokio::test]
async fn fallback_layer_covers_rejections_and_unknown_routes_without_doubling_spans() {
    let capture = Capture::new();
    let app = Router::new()
        .route("/api/orders", post(create_order))
        .route("/plain", get(|| async { "not annotated" }))
        .layer(FallbackSpanLayer::new());
    let addr = serve(app).await;
    let client = client();

    // Served by the annotated handler: exactly one SERVER span, the handler's.
    let response = client
        .post(format!("http://{addr}/api/orders"))
        .header("content-type", "application/json")
        .body(r#"{"customer_id": 7}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let span = only_server(&capture);
    assert_eq!(span.name, "create order");
    assert_eq!(span.i64_attr("customer_id"), Some(7));
    assert_eq!(span.i64_attr("order_id"), Some(42));
    assert_eq!(span.str_attr("http.route"), Some("/api/orders"));

    // Rejected before the handler ran (bad JSON): the layer's span, with the route.
    let response = client
        .post(format!("http://{addr}/api/orders"))
        .header("content-type", "application/json")
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let spans = servers(&capture);
    assert_eq!(spans.len(), 2);
    let rejected = &spans[1];
    assert_eq!(rejected.name, "POST /api/orders");
    assert_eq!(rejected.i64_attr("http.response.status_code"), Some(400));
    assert_eq!(rejected.status, SpanStatus::Unset);
    assert_eq!(rejected.trace_id, TRACE_ID);
    assert_eq!(rejected.parent_span_id.as_deref(), Some(PARENT_ID));

    // No route: 404, named after the method alone.
    let response = client
        .get(format!("http://{addr}/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let spans = servers(&capture);
    assert_eq!(spans.len(), 3);
    assert_eq!(spans[2].name, "GET");
    assert!(spans[2].attr("http.route").is_none());
    assert_eq!(spans[2].str_attr("url.path"), Some("/nowhere"));

    // A handler without the attribute: the layer's span.
    client
        .get(format!("http://{addr}/plain"))
        .send()
        .await
        .unwrap();
    let spans = servers(&capture);
    assert_eq!(spans.len(), 4);
    assert_eq!(spans[3].name, "GET /plain");
}

#[tokio::test]
async fn a_handler_can_be_called_directly_in_a_unit_test() {
    let capture = Capture::new();
    let body = get_order(Incoming::default(), Path(3)).await.into_inner();
    assert_eq!(body, "order 3");
    let result = load(Incoming::default(), Path(0)).await.into_inner();
    assert!(matches!(result, Err(AppError::NotFound)));
    // The status comes from the response the value becomes.
    let response = load(Incoming::default(), Path(1)).await.into_response();
    assert_eq!(response.status(), 500);
    assert_eq!(servers(&capture).len(), 3);
}

#[traced::traced_handler(method = "GET", route = "/health")]
fn health(headers: &http::HeaderMap) -> Result<http::StatusCode, std::io::Error> {
    if headers.contains_key("x-fail") {
        return Err(std::io::Error::other("disk full"));
    }
    Ok(http::StatusCode::NO_CONTENT)
}

#[traced::traced_handler(headers = request, route = "/echo")]
async fn echo(request: http::Request<String>) -> http::Response<String> {
    let mut response = http::Response::new(request.into_body());
    *response.status_mut() = http::StatusCode::ACCEPTED;
    response
}

#[tokio::test]
async fn handlers_outside_axum_read_the_request_from_a_parameter() {
    let capture = Capture::new();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "traceparent",
        format!("00-{TRACE_ID}-{PARENT_ID}-01").parse().unwrap(),
    );
    assert_eq!(health(&headers).unwrap(), 204);
    let span = only_server(&capture);
    assert_eq!(span.name, "GET /health");
    assert_eq!(span.trace_id, TRACE_ID);
    assert_eq!(span.i64_attr("http.response.status_code"), Some(204));

    headers.insert("x-fail", "1".parse().unwrap());
    assert!(health(&headers).is_err());
    let spans = servers(&capture);
    assert_eq!(spans[1].str_attr("error.type"), Some("std::io::Error"));
    assert!(matches!(spans[1].status, SpanStatus::Error(_)));

    let request = http::Request::builder()
        .method("PUT")
        .uri("http://example.com:8080/echo?x=1")
        .body("hi".to_owned())
        .unwrap();
    let response = echo(request).await;
    assert_eq!(response.body(), "hi");
    let spans = servers(&capture);
    let span = &spans[2];
    assert_eq!(span.name, "PUT /echo");
    assert_eq!(span.str_attr("server.address"), Some("example.com"));
    assert_eq!(span.i64_attr("server.port"), Some(8080));
    assert_eq!(span.str_attr("url.query"), Some("x=1"));
    assert_eq!(span.i64_attr("http.response.status_code"), Some(202));
}
