//! Zipkin B3: the `b3` single header and the `x-b3-*` multi headers.
//!
//! See [`B3Propagator`] for what is wrapped around opentelemetry-propagator-b3, and why.

use opentelemetry::Context;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanContext, TraceContextExt as _, TraceFlags, TraceId, TraceState};
use opentelemetry_propagator_b3::{B3Encoding, Propagator};

use super::trace_context::W3cTraceState;
use super::{lower_hex_digit, trim_ows};

const SINGLE: &str = "b3";
const TRACE_ID: &str = "x-b3-traceid";
const SPAN_ID: &str = "x-b3-spanid";
const SAMPLED: &str = "x-b3-sampled";
const FLAGS: &str = "x-b3-flags";
const MULTI: [&str; 4] = [TRACE_ID, SPAN_ID, SAMPLED, FLAGS];

/// How opentelemetry-propagator-b3 encodes the states in trace flags.
const CRATE_SAMPLED: u8 = 0x01;
const CRATE_DEFERRED: u8 = 0x02;
const CRATE_DEBUG: u8 = 0x04;

/// The B3 sampling states of a trace that a [`SpanContext`] cannot hold.
#[derive(Clone, Copy, Debug)]
struct B3State {
    trace_id: TraceId,
    /// `b3: …-d` or `x-b3-flags: 1`: sampling forced on, for the whole trace.
    debug: bool,
    /// No sampling state: the decision was left to the receiver.
    deferred: bool,
}

/// Zipkin B3 propagator, single header (`b3`, what `OTEL_PROPAGATORS=b3` means) or multi
/// header (`x-b3-traceid`, `x-b3-spanid`, `x-b3-sampled`, `x-b3-flags`: `b3multi`).
///
/// Extraction reads both formats whichever is injected, the single header first, as the
/// OpenTelemetry specification asks. Trace ids of 16 hex digits are left-padded to 32. The
/// sampling state `1` (or `true` in `x-b3-sampled`) continues a sampled trace, `0` (or
/// `false`) an unsampled one, `d` (or `x-b3-flags: 1`) a sampled trace in debug mode, and
/// none a trace whose sampling was deferred, seen by the SDK as unsampled. The parent span
/// id is checked in the single header and not used. Any invalid field, or a header sent
/// more than once, makes that format invalid. The context also gets a [`W3cTraceState`]
/// saying the trace id is not known to be random, unless it has one for the same trace.
///
/// Injection never sends the parent span id. Debug is sent on for the whole trace; deferred
/// is sent on while no span here decided to sample; otherwise the span's sampled flag is
/// sent. Nothing is sent without a valid span.
///
///
/// # What differs from opentelemetry-propagator-b3
///
/// That crate parses and formats the headers here; what is wrapped around it fixes what it
/// gets wrong:
/// - it keeps "sampling deferred" and "debug" in trace flag bits `0x02` and `0x04` of the
///   span context. The SDK copies those bits into child spans, and `0x02` is the W3C random
///   flag, so it reads "deferred" into any W3C context with the random flag and sends no
///   sampling decision for it. Here the span context gets only the sampled bit, and the B3
///   states travel in the [`Context`];
/// - which sampling states it accepts depends on the format it injects (`-d` only when it
///   injects the single header, `x-b3-sampled: true` only when it injects multi headers),
///   and a single-header `d` does not set the sampled flag, though debug implies sampled.
///   Here each format is read by a parser configured for it, and debug sets sampled;
/// - it parses ids with `from_str_radix`, which takes a leading `+`, and ignores a trailing
///   `-` after the last field; it reads only the first line of each header. Here ids are
///   checked to be lowercase hex before it sees them, every field must be non-empty, and a
///   header sent more than once is invalid;
/// - with no valid span it injects `b3: 0` or `x-b3-sampled: 0`, asking every service
///   downstream not to sample. Here nothing is injected then;
/// - configured for the single header it injects the multi headers too (its
///   `B3Encoding::support(&UnSpecified)` is always true), and it defaults to multi headers.
///   Here only the configured format's headers are written, and [`Default`] is the single
///   header, as the OpenTelemetry specification asks.
#[derive(Clone, Debug)]
pub struct B3Propagator {
    /// Configured for the injected format.
    writer: Propagator,
    /// Configured so that each format accepts its own sampling states.
    single_reader: Propagator,
    multi_reader: Propagator,
}

impl Default for B3Propagator {
    /// The single header: the OpenTelemetry specification says B3 injection must default to
    /// it (opentelemetry-propagator-b3 defaults to multi headers).
    fn default() -> Self {
        Self::single()
    }
}

impl B3Propagator {
    fn with_writer(encoding: B3Encoding) -> Self {
        Self {
            writer: Propagator::with_encoding(encoding),
            single_reader: Propagator::with_encoding(B3Encoding::SingleHeader),
            multi_reader: Propagator::with_encoding(B3Encoding::MultipleHeader),
        }
    }

    /// Injects the single `b3` header.
    pub fn single() -> Self {
        Self::with_writer(B3Encoding::SingleHeader)
    }

    /// Injects the `x-b3-*` multi headers.
    pub fn multi() -> Self {
        Self::with_writer(B3Encoding::MultipleHeader)
    }

    fn extract_single(&self, extractor: &dyn Extractor) -> Option<SpanContext> {
        let value = trim_ows(only_line(extractor, SINGLE)?);
        let mut fields = value.split('-');
        let well_formed = fields.next().is_some_and(is_b3_trace_id)
            && fields.next().is_some_and(is_b3_span_id)
            && fields
                .next()
                .is_none_or(|sampling| matches!(sampling, "0" | "1" | "d"))
            && fields.next().is_none_or(is_b3_span_id)
            && fields.next().is_none();
        if !well_formed {
            return None;
        }
        read_with(&self.single_reader, &[(SINGLE, value)])
    }

    fn extract_multi(&self, extractor: &dyn Extractor) -> Option<SpanContext> {
        let mut headers = Vec::with_capacity(MULTI.len());
        for name in MULTI {
            match extractor.get_all(name).unwrap_or_default().as_slice() {
                [] => {}
                [line] => headers.push((name, trim_ows(line))),
                _ => return None,
            }
        }
        let field = |name| headers.iter().find(|&&(n, _)| n == name).map(|&(_, v)| v);
        if !field(TRACE_ID).is_some_and(is_b3_trace_id)
            || !field(SPAN_ID).is_some_and(is_b3_span_id)
        {
            return None;
        }
        read_with(&self.multi_reader, &headers)
    }
}

/// The one line of a header; `None` if it is absent or sent more than once.
fn only_line<'a>(extractor: &'a dyn Extractor, name: &str) -> Option<&'a str> {
    match extractor.get_all(name)?.as_slice() {
        [line] => Some(line),
        _ => None,
    }
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| lower_hex_digit(b).is_some())
}

fn is_b3_trace_id(s: &str) -> bool {
    (s.len() == 16 || s.len() == 32) && is_lower_hex(s)
}

fn is_b3_span_id(s: &str) -> bool {
    s.len() == 16 && is_lower_hex(s)
}

/// Lets opentelemetry-propagator-b3 read headers that passed the checks above, and no other.
#[derive(Debug)]
struct Checked<'a>(&'a [(&'a str, &'a str)]);

impl Extractor for Checked<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|&&(name, _)| name == key)
            .map(|&(_, value)| value)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|&(name, _)| name).collect()
    }
}

/// Passes on only the headers of the configured format.
struct OnlyFields<'a, 'b> {
    fields: Vec<&'a str>,
    inner: &'b mut dyn Injector,
}

impl Injector for OnlyFields<'_, '_> {
    fn set(&mut self, key: &str, value: String) {
        if self.fields.contains(&key) {
            self.inner.set(key, value);
        }
    }
}

fn read_with(reader: &Propagator, headers: &[(&str, &str)]) -> Option<SpanContext> {
    let cx = reader.extract_with_context(&Context::new(), &Checked(headers));
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| sc.clone())
}

impl TextMapPropagator for B3Propagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let state = cx
            .get::<B3State>()
            .filter(|state| state.trace_id == sc.trace_id());
        let bits = if state.is_some_and(|state| state.debug) {
            CRATE_DEBUG | CRATE_SAMPLED
        } else if sc.is_sampled() {
            CRATE_SAMPLED
        } else if state.is_some_and(|state| state.deferred) {
            CRATE_DEFERRED
        } else {
            0
        };
        let clean = SpanContext::new(
            sc.trace_id(),
            sc.span_id(),
            TraceFlags::new(bits),
            false,
            TraceState::NONE,
        );
        let mut only_ours = OnlyFields {
            fields: self.writer.fields().collect(),
            inner: injector,
        };
        self.writer.inject_context(
            &Context::new().with_remote_span_context(clean),
            &mut only_ours,
        );
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(found) = self
            .extract_single(extractor)
            .or_else(|| self.extract_multi(extractor))
        else {
            return cx.clone();
        };
        let bits = found.trace_flags().to_u8();
        let debug = bits & CRATE_DEBUG != 0;
        let sampled = debug || bits & CRATE_SAMPLED != 0;
        let deferred = !sampled && bits & CRATE_DEFERRED != 0;
        let trace_id = found.trace_id();
        let sc = SpanContext::new(
            trace_id,
            found.span_id(),
            if sampled {
                TraceFlags::SAMPLED
            } else {
                TraceFlags::NOT_SAMPLED
            },
            true,
            TraceState::NONE,
        );
        let mut cx = cx.with_remote_span_context(sc).with_value(B3State {
            trace_id,
            debug,
            deferred,
        });
        if cx
            .get::<W3cTraceState>()
            .is_none_or(|state| state.trace_id() != trace_id)
        {
            cx = cx.with_value(W3cTraceState::new(trace_id, false, None));
        }
        cx
    }

    fn fields(&self) -> FieldIter<'_> {
        self.writer.fields()
    }
}
