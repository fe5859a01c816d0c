//! A real OTLP/gRPC trace collector on loopback, so tests exercise the same
//! encoding, transport and batching a production collector would see.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::model::ExportedSpan;

/// State shared between the gRPC handler and the test-facing handle.
#[derive(Debug)]
struct Shared {
    spans: Mutex<Vec<ExportedSpan>>,
    requests: AtomicUsize,
    // Published under the `spans` lock so the count never runs backwards when
    // two Export calls race.
    span_count: watch::Sender<usize>,
}

impl Shared {
    fn spans(&self) -> MutexGuard<'_, Vec<ExportedSpan>> {
        // A panicking test thread must not hide what was already received.
        self.spans.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Collector {
    shared: Arc<Shared>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let received = ExportedSpan::from_export_request(request.get_ref());
        // Counted before the spans are published, so a test that saw the
        // spans also sees the request that carried them.
        self.shared.requests.fetch_add(1, Ordering::SeqCst);
        let mut spans = self.shared.spans();
        spans.extend(received);
        self.shared.span_count.send_replace(spans.len());
        drop(spans);
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

/// An OTLP/gRPC trace receiver listening on `127.0.0.1` at an ephemeral port.
///
/// Serving stops when this handle is dropped, so each test owns an isolated
/// collector and no port outlives its test.
pub struct OtlpReceiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl OtlpReceiver {
    /// Binds a fresh loopback port and serves on a spawned task.
    ///
    /// Must be called inside a Tokio runtime, which has to keep running
    /// while exporters talk to the receiver.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            spans: Mutex::new(Vec::new()),
            requests: AtomicUsize::new(0),
            span_count: watch::Sender::new(0),
        });
        let service = TraceServiceServer::new(Collector {
            shared: Arc::clone(&shared),
        });
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let result = Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(TcpIncoming::from(listener), async {
                    // A dropped sender means the handle is gone too: stop either way.
                    let _ = stop.await;
                })
                .await;
            if let Err(err) = result {
                // Nothing awaits this task; stderr is the only place the
                // failure can surface next to the test's own output.
                eprintln!("OTLP receiver on {addr} stopped with an error: {err}");
            }
        });
        Ok(Self {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    /// Endpoint in the form `opentelemetry-otlp`'s `with_endpoint` expects.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything received so far, in arrival order.
    pub fn spans(&self) -> Vec<ExportedSpan> {
        self.shared.spans().clone()
    }

    /// Waits until at least `n` spans arrived or `timeout` elapsed, then
    /// returns everything received; on timeout the caller's assertions report
    /// what is missing, which is more useful than a bare timeout error.
    pub async fn wait_for_spans(&self, n: usize, timeout: Duration) -> Vec<ExportedSpan> {
        let mut count = self.shared.span_count.subscribe();
        // `wait_for` checks the current value first, so spans that arrived
        // before this call are not missed. It can only fail if the sender is
        // dropped, and `self` keeps it alive.
        let _ = tokio::time::timeout(timeout, count.wait_for(|&c| c >= n)).await;
        self.spans()
    }

    /// Number of Export calls received, to check batching behaviour.
    pub fn export_requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for OtlpReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpReceiver")
            .field("addr", &self.addr)
            .field("spans", &self.shared.spans().len())
            .field("export_requests", &self.export_requests())
            .finish()
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server task may already have exited on its own error.
            let _ = shutdown.send(());
        }
    }
}
