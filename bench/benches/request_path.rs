//! The whole handler → client → handler path over loopback, instrumented and not, in one
//! run: an axum front service whose handler calls a second axum service with reqwest,
//! driven by a load generator in the bench (a bounded number of requests, 8 in flight).
//!
//! The instrumented path is `#[traced_handler]` → `#[traced_client]` → `#[traced_handler]`
//! at 100% sampling, exported through the SDK's batch processor to an exporter that drops
//! the batches; the plain one is the same code without the attributes and no subscriber.
//! The alternatives instrument the same path with tracing-opentelemetry (see `otel`) and
//! with the OpenTelemetry SDK alone (see `sdk_direct`), exported the same way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry::trace::TracerProvider as _;
use traced::sampling::SamplerKind;
use tracing_subscriber::layer::SubscriberExt as _;

const IN_FLIGHT: u64 = 8;

#[derive(Clone)]
struct Downstream {
    http: reqwest::Client,
    url: Arc<str>,
}

mod plain {
    use super::*;

    pub(super) async fn front(State(down): State<Downstream>) -> Result<String, StatusCode> {
        down.item().await.map_err(|_| StatusCode::BAD_GATEWAY)
    }

    impl Downstream {
        pub(super) async fn item(&self) -> Result<String, reqwest::Error> {
            self.http.get(&*self.url).send().await?.text().await
        }
    }

    pub(super) async fn back() -> &'static str {
        "item 7: 3 in stock"
    }
}

mod instrumented {
    use super::*;

    #[traced::traced_handler]
    pub(super) async fn front(State(down): State<Downstream>) -> Result<String, StatusCode> {
        down.traced_item()
            .await
            .map_err(|_| StatusCode::BAD_GATEWAY)
    }

    impl Downstream {
        #[traced::traced_client(template = "/items/{id}")]
        pub(super) async fn traced_item(&self) -> Result<String, reqwest::Error> {
            self.http.get(&*self.url).send().await?.text().await
        }
    }

    #[traced::traced_handler]
    pub(super) async fn back() -> &'static str {
        "item 7: 3 in stock"
    }
}

/// The `host` header as `server.address` and `server.port`, as a hand-written integration
/// reads it.
fn host_and_port(headers: &axum::http::HeaderMap) -> (Option<&str>, Option<i64>) {
    let host = headers.get("host").and_then(|host| host.to_str().ok());
    match host.and_then(|host| host.rsplit_once(':')) {
        Some((address, port)) => (Some(address), port.parse().ok()),
        None => (host, None),
    }
}

fn user_agent(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get("user-agent")
        .and_then(|agent| agent.to_str().ok())
}

/// The same path instrumented with the OpenTelemetry SDK directly, as a service without
/// `tracing` would write it: the SDK's W3C propagator, spans built with the attributes ours
/// read from the request, the context carried by the SDK's `FutureExt::with_context`. It
/// is the floor of any instrumentation that exports through the SDK's spans and batch
/// processor.
mod sdk_direct {
    use super::*;
    use axum::extract::Request;
    use axum::http::Method;
    use opentelemetry::propagation::TextMapPropagator as _;
    use opentelemetry::trace::{
        FutureExt as _, SpanKind, Status, TraceContextExt as _, Tracer as _,
    };
    use opentelemetry::{Context, KeyValue};
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use opentelemetry_sdk::trace::SdkTracer;

    #[derive(Clone)]
    pub(super) struct Sdk {
        pub(super) http: reqwest::Client,
        pub(super) url: Arc<str>,
        pub(super) tracer: SdkTracer,
        /// Whether headers are read and written with `traced::propagation` (W3C Trace
        /// Context and Baggage, on the `HeaderMap`) instead of the SDK's propagator.
        pub(super) traced_propagation: bool,
    }

    fn method(method: &Method) -> &'static str {
        match *method {
            Method::GET => "GET",
            Method::POST => "POST",
            _ => "_OTHER",
        }
    }

    /// The server span of `request`, in the context its `traceparent` continues.
    fn server_span(
        sdk: &Sdk,
        request: &Request,
        name: &'static str,
        route: &'static str,
    ) -> Context {
        let (tracer, headers) = (&sdk.tracer, request.headers());
        let parent = match sdk.traced_propagation {
            true => traced::propagation::extract(headers),
            false => TraceContextPropagator::new().extract(&traced_bench::HeaderExtract(headers)),
        };
        let mut attributes = Vec::with_capacity(10);
        attributes.push(KeyValue::new(
            "http.request.method",
            method(request.method()),
        ));
        attributes.push(KeyValue::new("http.route", route));
        attributes.push(KeyValue::new("url.path", request.uri().path().to_owned()));
        attributes.push(KeyValue::new("url.scheme", "http"));
        let (address, port) = host_and_port(headers);
        if let Some(address) = address {
            attributes.push(KeyValue::new("server.address", address.to_owned()));
        }
        if let Some(port) = port {
            attributes.push(KeyValue::new("server.port", port));
        }
        if let Some(agent) = user_agent(headers) {
            attributes.push(KeyValue::new("user_agent.original", agent.to_owned()));
        }
        attributes.push(KeyValue::new("network.protocol.version", "1.1"));
        let span = tracer
            .span_builder(name)
            .with_kind(SpanKind::Server)
            .with_attributes(attributes)
            .start_with_context(tracer, &parent);
        parent.with_span(span)
    }

    /// Records the response's status on the server span of `cx` and ends it.
    fn finish(cx: &Context, status: StatusCode) {
        let span = cx.span();
        span.set_attribute(KeyValue::new(
            "http.response.status_code",
            i64::from(status.as_u16()),
        ));
        if status.is_server_error() {
            span.set_attribute(KeyValue::new("error.type", status.as_str().to_owned()));
            span.set_status(Status::error(""));
        }
        span.end();
    }

    pub(super) async fn front(
        State(sdk): State<Sdk>,
        request: Request,
    ) -> Result<String, StatusCode> {
        let cx = server_span(&sdk, &request, "GET /orders/{id}", "/orders/{id}");
        let result = sdk
            .item()
            .with_context(cx.clone())
            .await
            .map_err(|_| StatusCode::BAD_GATEWAY);
        finish(
            &cx,
            result
                .as_ref()
                .map_or_else(|status| *status, |_| StatusCode::OK),
        );
        result
    }

    impl Sdk {
        async fn item(&self) -> Result<String, reqwest::Error> {
            let parent = Context::current();
            let mut request = self.http.get(&*self.url).build()?;
            let url = request.url();
            let mut attributes = Vec::with_capacity(8);
            attributes.push(KeyValue::new("http.request.method", "GET"));
            attributes.push(KeyValue::new("url.full", url.as_str().to_owned()));
            if let Some(host) = url.host_str() {
                attributes.push(KeyValue::new("server.address", host.to_owned()));
            }
            if let Some(port) = url.port_or_known_default() {
                attributes.push(KeyValue::new("server.port", i64::from(port)));
            }
            attributes.push(KeyValue::new("url.scheme", "http"));
            attributes.push(KeyValue::new("url.template", "/items/{id}"));
            let span = self
                .tracer
                .span_builder("GET /items/{id}")
                .with_kind(SpanKind::Client)
                .with_attributes(attributes)
                .start_with_context(&self.tracer, &parent);
            let cx = parent.with_span(span);
            match self.traced_propagation {
                true => traced::propagation::inject(&cx, request.headers_mut()),
                false => TraceContextPropagator::new()
                    .inject_context(&cx, &mut traced_bench::HeaderInject(request.headers_mut())),
            }
            let response = self.http.execute(request).with_context(cx.clone()).await;
            let span = cx.span();
            match &response {
                Ok(response) => span.set_attribute(KeyValue::new(
                    "http.response.status_code",
                    i64::from(response.status().as_u16()),
                )),
                Err(_) => {
                    span.set_attribute(KeyValue::new("error.type", "_OTHER"));
                    span.set_status(Status::error(""));
                }
            }
            let text = async { response?.text().await }
                .with_context(cx.clone())
                .await;
            span.end();
            text
        }
    }

    pub(super) async fn back(State(sdk): State<Sdk>, request: Request) -> &'static str {
        let cx = server_span(&sdk, &request, "GET /items/{id}", "/items/{id}");
        let body = async { "item 7: 3 in stock" }
            .with_context(cx.clone())
            .await;
        finish(&cx, StatusCode::OK);
        body
    }
}

/// The same path as services write it today with `tracing`: spans over tracing-opentelemetry
/// with the attributes ours read from the request, the SDK's W3C propagator to extract the
/// parent (`set_parent`) and to inject the client span's context.
mod otel {
    use super::*;
    use axum::extract::Request;
    use opentelemetry::propagation::TextMapPropagator as _;
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use tracing::Instrument as _;
    use tracing::field::Empty;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;

    /// The server span of `request`, its parent set from its `traceparent`.
    fn server_span(request: &Request, name: &'static str, route: &'static str) -> tracing::Span {
        let headers = request.headers();
        let parent = TraceContextPropagator::new().extract(&traced_bench::HeaderExtract(headers));
        let (address, port) = host_and_port(headers);
        let span = tracing::info_span!(
            "request",
            otel.kind = "server",
            otel.name = name,
            http.request.method = request.method().as_str(),
            http.route = route,
            url.path = request.uri().path(),
            url.scheme = "http",
            server.address = address,
            server.port = port,
            user_agent.original = user_agent(headers),
            network.protocol.version = "1.1",
            http.response.status_code = Empty,
            error.type = Empty,
            otel.status_code = Empty,
        );
        let _ = span.set_parent(parent);
        span
    }

    fn record_status(span: &tracing::Span, status: StatusCode) {
        span.record("http.response.status_code", i64::from(status.as_u16()));
        if status.is_server_error() {
            span.record("error.type", status.as_str());
            span.record("otel.status_code", "ERROR");
        }
    }

    pub(super) async fn front(
        State(down): State<Downstream>,
        request: Request,
    ) -> Result<String, StatusCode> {
        let span = server_span(&request, "GET /orders/{id}", "/orders/{id}");
        let result = down
            .otel_item()
            .instrument(span.clone())
            .await
            .map_err(|_| StatusCode::BAD_GATEWAY);
        record_status(
            &span,
            result
                .as_ref()
                .map_or_else(|status| *status, |_| StatusCode::OK),
        );
        result
    }

    impl Downstream {
        pub(super) async fn otel_item(&self) -> Result<String, reqwest::Error> {
            let mut request = self.http.get(&*self.url).build()?;
            let url = request.url();
            let span = tracing::info_span!(
                "request",
                otel.kind = "client",
                otel.name = "GET /items/{id}",
                http.request.method = "GET",
                url.full = url.as_str(),
                server.address = url.host_str(),
                server.port = url.port_or_known_default().map(i64::from),
                url.scheme = "http",
                url.template = "/items/{id}",
                http.response.status_code = Empty,
                error.type = Empty,
                otel.status_code = Empty,
            );
            TraceContextPropagator::new().inject_context(
                &span.context(),
                &mut traced_bench::HeaderInject(request.headers_mut()),
            );
            async move {
                let response = self.http.execute(request).await;
                let span = tracing::Span::current();
                match &response {
                    Ok(response) => {
                        span.record(
                            "http.response.status_code",
                            i64::from(response.status().as_u16()),
                        );
                    }
                    Err(_) => {
                        span.record("error.type", "_OTHER");
                        span.record("otel.status_code", "ERROR");
                    }
                }
                response?.text().await
            }
            .instrument(span)
            .await
        }
    }

    pub(super) async fn back(request: Request) -> &'static str {
        let span = server_span(&request, "GET /items/{id}", "/items/{id}");
        let body = async { "item 7: 3 in stock" }
            .instrument(span.clone())
            .await;
        record_status(&span, StatusCode::OK);
        body
    }
}

/// A runtime of two workers whose threads all use `dispatch` (or none), so that both
/// set-ups live in one process without a global subscriber.
fn runtime(dispatch: Option<tracing::Dispatch>) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(move || {
            if let Some(dispatch) = &dispatch {
                // The runtime's threads keep it for their whole life.
                std::mem::forget(tracing::dispatcher::set_default(dispatch));
            }
        })
        .build()
        .expect("a tokio runtime")
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// How the path is instrumented.
#[derive(Clone, Copy, PartialEq)]
enum Setup {
    Plain,
    Traced,
    /// tracing-opentelemetry, see `otel`.
    Otel,
    SdkDirect,
    /// The SDK's spans with `traced::propagation`'s extraction and injection.
    SdkDirectTracedPropagation,
}

/// Starts the two services and returns the front's URL.
async fn start(setup: Setup, tracer: &opentelemetry_sdk::trace::SdkTracer) -> String {
    if matches!(setup, Setup::SdkDirect | Setup::SdkDirectTracedPropagation) {
        let sdk = |url: String| sdk_direct::Sdk {
            http: reqwest::Client::new(),
            url: url.into(),
            tracer: tracer.clone(),
            traced_propagation: setup == Setup::SdkDirectTracedPropagation,
        };
        let back = Router::new()
            .route("/items/{id}", get(sdk_direct::back))
            .with_state(sdk(String::new()));
        let back = serve(back).await;
        let front = Router::new()
            .route("/orders/{id}", get(sdk_direct::front))
            .with_state(sdk(format!("http://{back}/items/7")));
        let front = serve(front).await;
        return format!("http://{front}/orders/1");
    }
    let back = match setup {
        Setup::Traced => Router::new().route("/items/{id}", get(instrumented::back)),
        Setup::Otel => Router::new().route("/items/{id}", get(otel::back)),
        _ => Router::new().route("/items/{id}", get(plain::back)),
    };
    let back = serve(back).await;
    let down = Downstream {
        http: reqwest::Client::new(),
        url: format!("http://{back}/items/7").into(),
    };
    let front = match setup {
        Setup::Traced => Router::new().route("/orders/{id}", get(instrumented::front)),
        Setup::Otel => Router::new().route("/orders/{id}", get(otel::front)),
        _ => Router::new().route("/orders/{id}", get(plain::front)),
    };
    let front = serve(front.with_state(down)).await;
    format!("http://{front}/orders/1")
}

/// Sends `count` requests, `IN_FLIGHT` at a time, and returns how long they took.
async fn load(client: &reqwest::Client, url: &str, count: u64) -> Duration {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..IN_FLIGHT {
        let share = count / IN_FLIGHT + u64::from(worker < count % IN_FLIGHT);
        let (client, url) = (client.clone(), url.to_owned());
        tasks.spawn(async move {
            for _ in 0..share {
                let response = client.get(&url).send().await.expect("the front answers");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect("a body");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a load task");
    }
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("request_path");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(6));

    let provider = traced_bench::batch_provider(SamplerKind::AlwaysOn);
    let sdk_provider =
        traced_bench::sdk_batch_provider(opentelemetry_sdk::trace::Sampler::AlwaysOn);
    let sdk_tracer = sdk_provider.tracer("bench");
    for (label, setup) in [
        ("plain", Setup::Plain),
        ("traced_always_on", Setup::Traced),
        ("instrument+tracing-opentelemetry_always_on", Setup::Otel),
        ("sdk_direct_always_on", Setup::SdkDirect),
        (
            "sdk_direct_always_on_traced_propagation",
            Setup::SdkDirectTracedPropagation,
        ),
    ] {
        // Each set-up's subscriber is made when its turn comes, and goes with its runtime:
        // a `tracing` dispatcher alive elsewhere in the process changes what every callsite
        // asks (hyper's and reqwest's too), and so what the set-up measured costs.
        let dispatch = match setup {
            // As `traced::init!` sets it up without a log layer.
            Setup::Traced => Some(tracing::Dispatch::new(
                tracing_subscriber::registry().with(
                    traced::TracedLayer::new(provider.tracer("bench"))
                        .with_sampler(SamplerKind::AlwaysOn)
                        .skip_unsampled(tracing_subscriber::filter::LevelFilter::OFF),
                ),
            )),
            // With the filter such a service puts on its whole subscriber (`RUST_LOG=info`),
            // which keeps the libraries' DEBUG events out of its spans, as ours does.
            Setup::Otel => Some(tracing::Dispatch::new(
                tracing_subscriber::registry()
                    .with(tracing_subscriber::filter::LevelFilter::INFO)
                    .with(tracing_opentelemetry::layer().with_tracer(sdk_tracer.clone())),
            )),
            _ => None,
        };
        let rt = runtime(dispatch);
        let url = rt.block_on(start(setup, &sdk_tracer));
        let client = reqwest::Client::new();
        // Warm the connection pools before measuring.
        rt.block_on(load(&client, &url, 64));
        group.bench_function(label, |b| {
            b.iter_custom(|iters| rt.block_on(load(&client, &url, iters)))
        });
    }
    group.finish();
    provider.shutdown().expect("the batch processor stops");
    sdk_provider.shutdown().expect("the batch processor stops");
}

criterion_group!(benches, bench);
criterion_main!(benches);
