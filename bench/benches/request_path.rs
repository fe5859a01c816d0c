//! The whole handler → client → handler path over loopback, instrumented and not, in one
//! run: an axum front service whose handler calls a second axum service with reqwest,
//! driven by a load generator in the bench (a bounded number of requests, 8 in flight).
//!
//! The instrumented path is `#[traced_handler]` → `#[traced_client]` → `#[traced_handler]`
//! at 100% sampling, exported through the SDK's batch processor to an exporter that drops
//! the batches; the plain one is the same code without the attributes and no subscriber.

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

/// Starts the two services and returns the front's URL.
async fn start(instrumented: bool) -> String {
    let back = match instrumented {
        true => Router::new().route("/items/{id}", get(instrumented::back)),
        false => Router::new().route("/items/{id}", get(plain::back)),
    };
    let back = serve(back).await;
    let down = Downstream {
        http: reqwest::Client::new(),
        url: format!("http://{back}/items/7").into(),
    };
    let front = match instrumented {
        true => Router::new().route("/orders/{id}", get(instrumented::front)),
        false => Router::new().route("/orders/{id}", get(plain::front)),
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
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(
        traced::TracedLayer::new(provider.tracer("bench")).with_sampler(SamplerKind::AlwaysOn),
    ));
    for (label, dispatch) in [("plain", None), ("traced_always_on", Some(dispatch))] {
        let instrumented = dispatch.is_some();
        let rt = runtime(dispatch);
        let url = rt.block_on(start(instrumented));
        let client = reqwest::Client::new();
        // Warm the connection pools before measuring.
        rt.block_on(load(&client, &url, 64));
        group.bench_function(label, |b| {
            b.iter_custom(|iters| rt.block_on(load(&client, &url, iters)))
        });
    }
    group.finish();
    provider.shutdown().expect("the batch processor stops");
}

criterion_group!(benches, bench);
criterion_main!(benches);
