//! Span exporters for a local run, with nothing else installed: a waterfall of each trace
//! on the console, and OTLP/JSON lines in a file that a Collector can load later.
//!
//! Both are plain `opentelemetry_sdk` [`SpanExporter`](opentelemetry_sdk::trace::SpanExporter)s:
//! the one-call set-up installs them for `OTEL_TRACES_EXPORTER=console` and
//! `OTEL_TRACES_EXPORTER=file`, and any tracer provider can use them directly.
//!
//! # Console
//! [`ConsoleExporter`] prints each trace when its root span ends. With the simple processor
//! it prints as soon as that happens:
//! ```
//! use opentelemetry::trace::{Tracer as _, TracerProvider as _};
//! use opentelemetry_sdk::Resource;
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//!
//! let provider = SdkTracerProvider::builder()
//!     .with_resource(Resource::builder().with_service_name("checkout").build())
//!     .with_simple_exporter(traced::export::ConsoleExporter::new())
//!     .build();
//! let tracer = provider.tracer("checkout");
//! tracer.in_span("GET /checkout", |_cx| {
//!     tracer.in_span("load cart", |_cx| {});
//! });
//! // trace 5e1f... · 2 spans · 41.0µs
//! // checkout  GET /checkout   internal    41.0µs  [████████████████████████████████████████]
//! // checkout  └─ load cart    internal     3.2µs  [        ███                             ]
//! provider.shutdown()?;
//! # Ok::<(), opentelemetry_sdk::error::OTelSdkError>(())
//! ```

#![cfg_attr(
    feature = "otlp-json-file",
    doc = r##"
# OTLP/JSON file
[`OtlpJsonFileExporter`] (feature `otlp-json-file`, on with `init`) appends one line per
export; behind the batch processor, one line per batch:
```
use opentelemetry::trace::{Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::SdkTracerProvider;

let path = std::env::temp_dir().join("traced-doc").join("traces.jsonl");
let provider = SdkTracerProvider::builder()
    .with_batch_exporter(traced::export::OtlpJsonFileExporter::create(&path)?)
    .build();
provider.tracer("checkout").in_span("GET /checkout", |_cx| {});
provider.shutdown()?; // exports what the batch holds

let last = std::fs::read_to_string(&path)?.lines().last().unwrap_or("").to_owned();
assert!(last.starts_with(r#"{"resourceSpans":[{"resource":"#));
# Ok::<(), Box<dyn std::error::Error>>(())
```
Replay the file with the Collector's `otlpjsonfile` receiver:
```yaml
receivers:
  otlpjsonfile:
    include: [ "traces.jsonl" ]
```
"##
)]

mod console;
#[cfg(feature = "otlp-json-file")]
mod otlp_json;
#[cfg(feature = "otlp-json-file")]
mod otlp_json_file;
mod waterfall;

pub use console::ConsoleExporter;
#[cfg(feature = "otlp-json-file")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp-json-file")))]
pub use otlp_json_file::OtlpJsonFileExporter;
