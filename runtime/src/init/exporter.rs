//! The OTLP exporter, bound to a runtime of its own.
//!
//! The SDK's batch processor exports from its own thread with a plain `block_on`; tonic and
//! reqwest need a tokio reactor there, and the application's runtime may be a different
//! flavour, busy, shutting down, or absent. So the exporter is built and run inside a
//! current-thread tokio runtime that only it uses: exporting never touches the
//! application's runtime, and shutting down from inside it cannot deadlock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _, WithTonicConfig as _};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter, SpanProcessor};

use super::config::{Config, OtlpProtocol};

/// Builds the OTLP exporter `config` describes.
pub(crate) fn otlp(
    config: &Config,
    stats: Arc<Stats>,
) -> Result<OnOwnRuntime<opentelemetry_otlp::SpanExporter>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("traced-export")
        .build()
        .map_err(|e| format!("cannot start the export runtime: {e}"))?;
    let endpoint = config
        .otlp_endpoint
        .clone()
        .unwrap_or_else(|| match config.otlp_protocol {
            OtlpProtocol::Grpc => "http://localhost:4317".to_owned(),
            OtlpProtocol::HttpProtobuf => "http://localhost:4318/v1/traces".to_owned(),
        });
    // The export timeout of the batch processor bounds each export too.
    let timeout = config.otlp_timeout.min(config.bsp_export_timeout);
    let exporter = {
        let _entered = runtime.enter();
        match config.otlp_protocol {
            OtlpProtocol::Grpc => {
                let mut headers = http::HeaderMap::new();
                for (key, value) in &config.otlp_headers {
                    if let (Ok(key), Ok(value)) = (
                        http::HeaderName::try_from(key.to_ascii_lowercase()),
                        http::HeaderValue::try_from(value.as_str()),
                    ) {
                        headers.append(key, value);
                    }
                }
                let metadata =
                    opentelemetry_otlp::tonic_types::metadata::MetadataMap::from_headers(headers);
                let mut builder = opentelemetry_otlp::SpanExporter::builder()
                    .with_tonic()
                    .with_endpoint(endpoint.clone())
                    .with_timeout(timeout)
                    .with_metadata(metadata);
                if config.otlp_gzip {
                    builder = builder.with_compression(opentelemetry_otlp::Compression::Gzip);
                }
                builder.build()
            }
            OtlpProtocol::HttpProtobuf => {
                let headers: HashMap<String, String> =
                    config.otlp_headers.iter().cloned().collect();
                let mut builder = opentelemetry_otlp::SpanExporter::builder()
                    .with_http()
                    .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                    .with_endpoint(endpoint.clone())
                    .with_timeout(timeout)
                    .with_headers(headers);
                if config.otlp_gzip {
                    builder = builder.with_compression(opentelemetry_otlp::Compression::Gzip);
                }
                builder.build()
            }
        }
        .map_err(|e| format!("cannot build the OTLP exporter for {endpoint}: {e}"))?
    };
    Ok(OnOwnRuntime {
        runtime,
        inner: exporter,
        destination: endpoint,
        stats,
        last_report: Mutex::new(None),
    })
}

/// A span exporter that runs `inner` on a current-thread runtime of its own, and reports
/// failed exports (the spans are dropped) on stderr at most once a minute.
#[derive(Debug)]
pub(crate) struct OnOwnRuntime<E> {
    runtime: tokio::runtime::Runtime,
    inner: E,
    destination: String,
    stats: Arc<Stats>,
    last_report: Mutex<Option<Instant>>,
}

const REPORT_EVERY: Duration = Duration::from_secs(60);

impl<E> OnOwnRuntime<E> {
    pub(crate) fn destination(&self) -> &str {
        &self.destination
    }
}

impl<E: SpanExporter> OnOwnRuntime<E> {
    fn report_failure(&self, spans: usize, error: &OTelSdkError) {
        let dropped = self.stats.failed.fetch_add(spans as u64, Ordering::Relaxed) + spans as u64;
        let mut last = self
            .last_report
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_none_or(|at| at.elapsed() >= REPORT_EVERY) {
            *last = Some(Instant::now());
            eprintln!(
                "traced: {dropped} spans dropped so far: cannot export to {} ({error})",
                self.destination
            );
        }
    }
}

impl<E: SpanExporter> SpanExporter for OnOwnRuntime<E> {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        // Called from the batch processor's thread, never from inside a runtime.
        let spans = batch.len();
        let result = if tokio::runtime::Handle::try_current().is_ok() {
            Err(OTelSdkError::InternalFailure(
                "the OTLP exporter must run under a batch processor".into(),
            ))
        } else {
            self.runtime.block_on(self.inner.export(batch))
        };
        match &result {
            Ok(()) => {
                self.stats
                    .exported
                    .fetch_add(spans as u64, Ordering::Relaxed);
            }
            Err(error) => self.report_failure(spans, error),
        }
        std::future::ready(result)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}

/// What happened to the spans handed to the OTLP pipeline.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    handed: AtomicU64,
    exported: AtomicU64,
    failed: AtomicU64,
}

/// Counts the spans handed to a processor, so that the spans its full queue dropped can be
/// told at shutdown (handed, minus exported, minus failed).
#[derive(Debug)]
pub(crate) struct Counting<P> {
    inner: P,
    stats: Arc<Stats>,
    destination: String,
}

impl<P> Counting<P> {
    pub(crate) fn new(inner: P, stats: Arc<Stats>, destination: String) -> Self {
        Self {
            inner,
            stats,
            destination,
        }
    }
}

impl<P: SpanProcessor> SpanProcessor for Counting<P> {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.stats.handed.fetch_add(1, Ordering::Relaxed);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let result = self.inner.shutdown_with_timeout(timeout);
        let handed = self.stats.handed.load(Ordering::Relaxed);
        let exported = self.stats.exported.load(Ordering::Relaxed);
        let failed = self.stats.failed.load(Ordering::Relaxed);
        let queue_full = handed.saturating_sub(exported + failed);
        if failed + queue_full > 0 {
            eprintln!(
                "traced: {exported} of {handed} spans exported to {}; dropped: {failed} failed \
                 exports, {queue_full} over the queue limit or unflushed",
                self.destination
            );
        }
        result
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}
