//! The console exporter: holds finished spans per trace until the trace's local root ends,
//! then prints the trace as a waterfall (see `waterfall`). Owns the buffering, the memory
//! bound and the writer; knows nothing of the layout.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::io::{IsTerminal as _, Write};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{Key, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::waterfall::{self, Trace, Window};

/// How many finished spans wait for their trace's root at most, by default.
const DEFAULT_MAX_PENDING_SPANS: usize = 10_000;
/// How many printed traces are remembered, so that a span ending after its trace was
/// printed is drawn on the same timeline.
const REMEMBERED_TRACES: usize = 1_024;
/// `service.name` when the resource has none (the SDK's default resource always has one).
const UNKNOWN_SERVICE: &str = "unknown_service";

/// Prints each finished trace as a waterfall: one line per span, indented under its parent,
/// with the service, span name, kind, duration, a bar placed on the trace's timeline, and
/// errors marked.
///
/// ```text
/// trace 0af7651916cd43dd8448eb211c803100 · 5 spans · 120.0ms · 1 error
/// checkout  GET /checkout       server     120.0ms  [████████████████████████████████████████]
/// checkout  ├─ load cart        internal    20.0ms  [████████                                ]
/// checkout  │  └─ SELECT carts  client       5.0ms  [ ███                                    ]
/// checkout  ├─ POST /charge     client      80.0ms  [          ███████████████████████████   ]  ✗ 503: card service unavailable
/// checkout  └─ send receipt     producer       0ns  [                                     █  ]
/// ```
///
/// Spans are held until their trace's root ends, then the trace is printed at once, its
/// spans ordered by start time under their parents. A trace whose spans here hang under a
/// remote parent (the SERVER span of a request) is printed half a second after that span
/// ends (on the next export), or as soon as the trace's root ends in this process too (two
/// services in one process). A span that ends after its
/// trace was printed (a task that outlived the request) is printed on its own, on the same
/// timeline. [`force_flush`](SpanExporter::force_flush) and
/// [`shutdown`](SpanExporter::shutdown) print every trace still waiting, whether or not its
/// root has ended (with the SDK's simple processor, only shutdown reaches the exporter).
///
/// Memory is bounded: at most 10,000 spans wait (see
/// [`with_max_pending_spans`](Self::with_max_pending_spans)); past that the traces that
/// started waiting first are dropped, and the next output says how many spans were.
///
/// Colour (ANSI codes) is on when writing to a terminal and `NO_COLOR` is unset or empty
/// and `TERM` is not `dumb`; [`with_color`](Self::with_color) decides instead.
///
/// Writing never panics (a closed stdout is an export error, reported to the SDK), nor does
/// any span data: zero or negative durations, missing or cyclic parents, any depth.
pub struct ConsoleExporter {
    state: Mutex<State>,
    color: bool,
    max_pending_spans: usize,
}

struct State {
    writer: Box<dyn Write + Send>,
    service: String,
    /// Spans waiting for their trace's local root, by trace.
    pending: HashMap<TraceId, Pending>,
    /// Pending traces by the order they started waiting in, oldest first, for eviction.
    arrival: BTreeMap<u64, TraceId>,
    next_arrival: u64,
    pending_spans: usize,
    /// Spans dropped since the last notice.
    dropped: u64,
    /// Timelines of the traces printed last, oldest first.
    printed: VecDeque<(TraceId, Window)>,
    shut_down: bool,
}

struct Pending {
    arrival: u64,
    spans: Vec<SpanData>,
    /// When a span whose parent is remote ended: the trace prints at the latest
    /// [`REMOTE_ROOT_GRACE`] later, sooner if its true root ends in this process.
    remote_root_at: Option<Instant>,
}

/// How long a trace whose local root has a remote parent waits before it is printed: the
/// remote parent may be a span of this very process (two services in one demo), whose
/// trace then prints whole when its own root ends.
const REMOTE_ROOT_GRACE: Duration = Duration::from_millis(500);

impl ConsoleExporter {
    /// An exporter that prints to stdout, in colour when stdout is a terminal and neither
    /// `NO_COLOR` (non-empty) nor `TERM=dumb` says otherwise.
    pub fn new() -> Self {
        let color = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
        Self::with_writer(std::io::stdout()).with_color(color)
    }

    /// An exporter that prints to `writer` (a file, a buffer in a test, stderr), without
    /// colour unless [`with_color`](Self::with_color) turns it on.
    pub fn with_writer(writer: impl Write + Send + 'static) -> Self {
        Self {
            state: Mutex::new(State {
                writer: Box::new(writer),
                service: UNKNOWN_SERVICE.to_owned(),
                pending: HashMap::new(),
                arrival: BTreeMap::new(),
                next_arrival: 0,
                pending_spans: 0,
                dropped: 0,
                printed: VecDeque::new(),
                shut_down: false,
            }),
            color: false,
            max_pending_spans: DEFAULT_MAX_PENDING_SPANS,
        }
    }

    /// Colours the output with ANSI codes (`true`) or not (`false`), whatever the writer.
    #[must_use]
    pub fn with_color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }

    /// Holds at most `max` finished spans (at least one) while their traces' roots have not
    /// ended; the default is 10,000. Past it, the traces that started waiting first are
    /// dropped and counted.
    #[must_use]
    pub fn with_max_pending_spans(mut self, max: usize) -> Self {
        self.max_pending_spans = max.max(1);
        self
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while printing leaves nothing half-updated that matters here.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn export_now(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut state = self.state();
        if state.shut_down {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        // Traces in this batch, and whether their true root (no parent at all) is in it. A
        // root that came earlier was printed then: the spans waiting never include one.
        let mut touched: Vec<(TraceId, bool)> = Vec::new();
        for span in batch {
            let trace_id = span.span_context.trace_id();
            let root = span.parent_span_id == SpanId::INVALID;
            match touched.iter_mut().find(|(id, _)| *id == trace_id) {
                Some((_, rooted)) => *rooted |= root,
                None => touched.push((trace_id, root)),
            }
            state.hold(span, self.max_pending_spans);
        }
        let mut out = String::new();
        for (trace_id, rooted) in touched {
            if rooted || state.window_of(trace_id).is_some() {
                state.print(trace_id, false, self.color, &mut out);
            }
        }
        // Traces rooted in a remote parent print once their grace has passed.
        let now = Instant::now();
        let due: Vec<TraceId> = state
            .pending
            .iter()
            .filter(|(_, p)| {
                p.remote_root_at
                    .is_some_and(|at| now.duration_since(at) >= REMOTE_ROOT_GRACE)
            })
            .map(|(id, _)| *id)
            .collect();
        for trace_id in due {
            state.print(trace_id, false, self.color, &mut out);
        }
        state.write(&out)
    }

    fn flush_now(&self, shut_down: bool) -> OTelSdkResult {
        let mut state = self.state();
        if state.shut_down {
            return if shut_down {
                Err(OTelSdkError::AlreadyShutdown)
            } else {
                Ok(())
            };
        }
        let waiting: Vec<TraceId> = state.arrival.values().copied().collect();
        let mut out = String::new();
        for trace_id in waiting {
            state.print(trace_id, true, self.color, &mut out);
        }
        state.notice_dropped(self.color, &mut out);
        state.shut_down = shut_down;
        state.write(&out)
    }
}

/// Whether the trace's part in this process ends with `span`.
fn is_local_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote
}

impl State {
    fn hold(&mut self, span: SpanData, max_pending_spans: usize) {
        let trace_id = span.span_context.trace_id();
        let arrival = self.next_arrival;
        let pending = self.pending.entry(trace_id).or_insert_with(|| Pending {
            arrival,
            spans: Vec::new(),
            remote_root_at: None,
        });
        if span.parent_span_is_remote && pending.remote_root_at.is_none() {
            pending.remote_root_at = Some(Instant::now());
        }
        if pending.arrival == arrival {
            self.arrival.insert(arrival, trace_id);
            self.next_arrival += 1;
        }
        pending.spans.push(span);
        self.pending_spans += 1;
        while self.pending_spans > max_pending_spans {
            let Some((_, oldest)) = self.arrival.pop_first() else {
                break;
            };
            if let Some(evicted) = self.pending.remove(&oldest) {
                self.pending_spans -= evicted.spans.len();
                self.dropped += evicted.spans.len() as u64;
            }
        }
    }

    fn window_of(&self, trace_id: TraceId) -> Option<Window> {
        self.printed
            .iter()
            .rev()
            .find(|(id, _)| *id == trace_id)
            .map(|(_, window)| *window)
    }

    /// Renders the spans waiting for `trace_id` into `out` and forgets them.
    fn print(&mut self, trace_id: TraceId, flushing: bool, color: bool, out: &mut String) {
        let Some(pending) = self.pending.remove(&trace_id) else {
            return;
        };
        self.arrival.remove(&pending.arrival);
        self.pending_spans -= pending.spans.len();
        self.notice_dropped(color, out);

        let earlier = self.window_of(trace_id);
        let trace = Trace {
            spans: &pending.spans,
            service: &self.service,
            earlier,
            unfinished: flushing && earlier.is_none() && !pending.spans.iter().any(is_local_root),
        };
        if let Some(window) = waterfall::render(out, &trace, color) {
            out.push('\n');
            self.printed.retain(|(id, _)| *id != trace_id);
            if self.printed.len() == REMEMBERED_TRACES {
                self.printed.pop_front();
            }
            self.printed.push_back((trace_id, window));
        }
    }

    fn notice_dropped(&mut self, color: bool, out: &mut String) {
        if self.dropped == 0 {
            return;
        }
        let notice = format!(
            "traced: {} spans of unfinished traces dropped (too many waiting for their root span)",
            self.dropped
        );
        self.dropped = 0;
        if color {
            out.push_str("\x1b[33m");
            out.push_str(&notice);
            out.push_str("\x1b[0m");
        } else {
            out.push_str(&notice);
        }
        out.push('\n');
    }

    fn write(&mut self, out: &str) -> OTelSdkResult {
        if out.is_empty() {
            return Ok(());
        }
        self.writer
            .write_all(out.as_bytes())
            .and_then(|()| self.writer.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("cannot print spans: {e}")))
    }
}

impl Default for ConsoleExporter {
    /// [`ConsoleExporter::new`]: stdout.
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ConsoleExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("ConsoleExporter")
            .field("service", &state.service)
            .field("color", &self.color)
            .field("max_pending_spans", &self.max_pending_spans)
            .field("pending_spans", &state.pending_spans)
            .finish_non_exhaustive()
    }
}

impl SpanExporter for ConsoleExporter {
    /// Holds the spans, and prints every trace whose local root is among them.
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        std::future::ready(self.export_now(batch))
    }

    /// Prints every trace still waiting, and stops: later exports are errors.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.flush_now(true)
    }

    /// Prints every trace still waiting, whether or not its root has ended.
    fn force_flush(&self) -> OTelSdkResult {
        self.flush_now(false)
    }

    /// Takes `service.name` from `resource`.
    fn set_resource(&mut self, resource: &Resource) {
        let service = match resource.get(&Key::from_static_str("service.name")) {
            Some(Value::String(name)) if !name.as_str().is_empty() => name.as_str().to_owned(),
            _ => UNKNOWN_SERVICE.to_owned(),
        };
        self.state().service = service;
    }
}
