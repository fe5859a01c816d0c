//! The OTLP/JSON lines exporter: one `ExportTraceServiceRequest` per export, one line each,
//! appended to a file or any writer. The encoding lives in `otlp_json`.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::otlp_json;

/// Appends spans to a file as OTLP/JSON lines: each export is one line holding an OTLP
/// `ExportTraceServiceRequest`, its spans grouped by resource and instrumentation scope.
///
/// That is the format the OpenTelemetry Collector's `otlpjsonfile` receiver reads (and its
/// `file` exporter writes), so a local run can later be replayed into any backend. The
/// encoding is OTLP/JSON as its specification defines it: lowerCamelCase field names,
/// trace and span ids as lowercase hex, span kind and status code as integers, 64-bit
/// integers (`intValue`, `startTimeUnixNano`, ...) as strings, NaN and infinite doubles as
/// `"NaN"`, `"Infinity"`, `"-Infinity"`.
///
/// ```text
/// {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}], ...},
///   "scopeSpans":[{"scope":{"name":"checkout", ...},"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",
///   "spanId":"b7ad6b7169203331","parentSpanId":"","name":"GET /checkout","kind":2,
///   "startTimeUnixNano":"1700000000000000000", ...}]}]}]}
/// ```
///
/// Each line is encoded whole before anything is written, and flushed at the end of each
/// export (and by [`force_flush`](SpanExporter::force_flush) and
/// [`shutdown`](SpanExporter::shutdown)): a crash loses at most the batch being written. The
/// file is opened in append mode: several runs add to one file.
pub struct OtlpJsonFileExporter {
    output: Mutex<Output>,
    resource: ResourceAttributesWithSchema,
    path: Option<PathBuf>,
}

struct Output {
    writer: BufWriter<Box<dyn Write + Send>>,
    /// The line being encoded, kept to reuse its allocation.
    line: Vec<u8>,
    shut_down: bool,
}

impl OtlpJsonFileExporter {
    /// Appends to the file at `path`, creating it, and its parent directories, if they do not
    /// exist.
    ///
    /// # Errors
    /// When a directory cannot be created or the file cannot be opened for appending.
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let mut exporter = Self::with_writer(file);
        exporter.path = Some(path.to_owned());
        Ok(exporter)
    }

    /// Writes the lines to `writer` instead of a file (stdout, a pipe, a buffer in a test).
    pub fn with_writer(writer: impl Write + Send + 'static) -> Self {
        let writer: Box<dyn Write + Send> = Box::new(writer);
        Self {
            output: Mutex::new(Output {
                writer: BufWriter::new(writer),
                line: Vec::new(),
                shut_down: false,
            }),
            resource: ResourceAttributesWithSchema::default(),
            path: None,
        }
    }

    fn output(&self) -> MutexGuard<'_, Output> {
        self.output
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn export_now(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut output = self.output();
        if output.shut_down {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        if batch.is_empty() {
            return Ok(());
        }
        let Output { writer, line, .. } = &mut *output;
        line.clear();
        otlp_json::encode_line(batch, &self.resource, line)
            .map_err(|e| self.failure("cannot encode spans", &e))?;
        writer
            .write_all(line)
            .and_then(|()| writer.flush())
            .map_err(|e| self.failure("cannot write spans", &e))?;
        // A large batch must not keep its buffer for the life of the process.
        if line.capacity() > 1 << 20 {
            *line = Vec::new();
        }
        Ok(())
    }

    fn failure(&self, what: &str, error: &dyn fmt::Display) -> OTelSdkError {
        OTelSdkError::InternalFailure(match &self.path {
            Some(path) => format!("{what} to {}: {error}", path.display()),
            None => format!("{what}: {error}"),
        })
    }
}

impl fmt::Debug for OtlpJsonFileExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpJsonFileExporter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SpanExporter for OtlpJsonFileExporter {
    /// Appends `batch` as one line, and flushes it.
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        std::future::ready(self.export_now(batch))
    }

    /// Flushes, and stops: later exports are errors.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        let mut output = self.output();
        if output.shut_down {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        output.shut_down = true;
        output
            .writer
            .flush()
            .map_err(|e| self.failure("cannot flush spans", &e))
    }

    /// Flushes what was written.
    fn force_flush(&self) -> OTelSdkResult {
        self.output()
            .writer
            .flush()
            .map_err(|e| self.failure("cannot flush spans", &e))
    }

    /// Takes the resource every line will carry.
    fn set_resource(&mut self, resource: &Resource) {
        self.resource = ResourceAttributesWithSchema::from(resource);
    }
}
