//! W3C Trace Context Level 2: the `traceparent` and `tracestate` headers.

use std::sync::LazyLock;

use opentelemetry::Context;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use smallvec::SmallVec;

use super::carrier::{Carrier, Field, Sink};
use super::{lower_hex_u64, lower_hex_u128, split_ascii, split_once_ascii, trim_ows};

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";
const TRACEPARENT_FIELD: Field = Field::new(TRACEPARENT);
const TRACESTATE_FIELD: Field = Field::new(TRACESTATE);

static FIELDS: LazyLock<[String; 2]> =
    LazyLock::new(|| [TRACEPARENT.to_owned(), TRACESTATE.to_owned()]);

const SAMPLED: u8 = 0x01;
/// Level 2: the trace id's rightmost 7 bytes are random.
const RANDOM: u8 = 0x02;

/// `00-` + 32 + `-` + 16 + `-` + 2.
const TRACEPARENT_LEN: usize = 55;
const MAX_TRACESTATE_MEMBERS: usize = 32;
const MAX_TRACESTATE_KEY_LEN: usize = 256;
const MAX_TRACESTATE_VALUE_LEN: usize = 256;

/// What the W3C headers said about a trace that OpenTelemetry's [`SpanContext`] cannot hold:
/// the Level 2 random flag, and the `tracestate` exactly as received and validated.
///
/// [`TraceContextPropagator`] stores it in the [`Context`] it extracts, beside the remote span
/// context, and reads it back on inject when the span being propagated belongs to the same
/// trace: the SDK copies neither into child spans (an unsampled child has no flags at all,
/// and `TraceState` refuses some keys that Level 2 allows, such as `foo@@bar`).
/// [`B3Propagator`](super::B3Propagator) stores one too, with `random() == false`: a trace
/// id that came through B3 carries no promise of randomness.
///
/// ```
/// use opentelemetry::propagation::TextMapPropagator as _;
/// use std::collections::HashMap;
/// use traced::propagation::{TraceContextPropagator, W3cTraceState};
///
/// let headers = HashMap::from([
///     ("traceparent".to_owned(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02".to_owned()),
///     ("tracestate".to_owned(), "foo@@bar=1, rojo=00f067aa0ba902b7".to_owned()),
/// ]);
/// let cx = TraceContextPropagator::new().extract(&headers);
/// let state = cx.get::<W3cTraceState>().unwrap();
/// assert!(state.random());
/// assert_eq!(state.tracestate(), Some("foo@@bar=1,rojo=00f067aa0ba902b7"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct W3cTraceState {
    trace_id: TraceId,
    random: bool,
    tracestate: Option<String>,
}

impl W3cTraceState {
    pub(crate) fn new(trace_id: TraceId, random: bool, tracestate: Option<String>) -> Self {
        Self {
            trace_id,
            random,
            tracestate,
        }
    }

    /// The trace this state belongs to; it is ignored for spans of any other trace.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// Whether the incoming `traceparent` had the random flag (`0x02`) set.
    pub fn random(&self) -> bool {
        self.random
    }

    /// The validated `tracestate`, members joined by `,` without whitespace; `None` when there
    /// was none, it was empty, or it was invalid and discarded.
    pub fn tracestate(&self) -> Option<&str> {
        self.tracestate.as_deref()
    }
}

/// W3C Trace Context Level 2 propagator: `traceparent` and `tracestate`, to the letter of
/// the specification.
///
/// Extraction:
/// - every `traceparent` line is read; more than one, or one that is invalid, leaves the
///   context as it was (the trace restarts) and `tracestate` is not read;
/// - version `00` must be exactly 55 characters; a higher version (not `ff`) at least 55,
///   followed by `-` if longer, and only its first four fields are read; every field must be
///   lowercase hex of the exact length, ids not all zero;
/// - flags other than sampled (`0x01`) and random (`0x02`) are zeroed;
/// - `tracestate` lines are joined in order; empty members are skipped; keys follow the
///   Level 2 grammar; more than 32 members, an invalid member or a repeated key discards the
///   whole `tracestate`, never the trace.
///
/// The remote [`SpanContext`] gets flags `sampled | random` and, when opentelemetry's
/// `TraceState` accepts the members, the tracestate; the [`Context`] also gets a
/// [`W3cTraceState`] with the random flag and the tracestate as validated.
///
/// Injection writes exactly one `traceparent` (version `00`) and a `tracestate` when there
/// is one, never an empty one. The random flag is the one received for this trace; for a
/// trace started here it is [`with_random_for_local_traces`](Self::with_random_for_local_traces)
/// (default `true`, as the SDK's default id generator makes random trace ids).
#[derive(Clone, Debug)]
pub struct TraceContextPropagator {
    random_for_local_traces: bool,
}

impl Default for TraceContextPropagator {
    fn default() -> Self {
        Self {
            random_for_local_traces: true,
        }
    }
}

impl TraceContextPropagator {
    /// The propagator, claiming randomness for traces started here.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to set the random flag on traces started in this process, for which no
    /// `traceparent` was received. Turn it off when the SDK uses an id generator whose trace
    /// ids are not random in their rightmost 7 bytes.
    pub fn with_random_for_local_traces(mut self, random: bool) -> Self {
        self.random_for_local_traces = random;
        self
    }
}

/// `00-{trace id}-{span id}-{flags}` in lowercase hex, written into a buffer on the stack:
/// this runs for every outgoing request, and both the formatting machinery and a `String`
/// grown byte by byte cost more than the rest of the injection.
fn traceparent(sc: &SpanContext, flags: u8) -> [u8; TRACEPARENT_LEN] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    fn write_hex(out: &mut [u8], bytes: &[u8]) {
        for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
    }
    let mut out = *b"00-00000000000000000000000000000000-0000000000000000-00";
    write_hex(&mut out[3..35], &sc.trace_id().to_bytes());
    write_hex(&mut out[36..52], &sc.span_id().to_bytes());
    write_hex(&mut out[53..55], &[flags]);
    out
}

impl TextMapPropagator for TraceContextPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        self.inject_into(cx, &mut Sink::Injector(injector));
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        self.extract_from(cx, Carrier::Extractor(extractor))
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(FIELDS.as_slice())
    }
}

impl TraceContextPropagator {
    /// What [`TextMapPropagator::inject_context`] does, into any sink.
    pub(crate) fn inject_into(&self, cx: &Context, sink: &mut Sink<'_>) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let received = cx
            .get::<W3cTraceState>()
            .filter(|state| state.trace_id == sc.trace_id());
        let random = match received {
            Some(state) => state.random,
            None => sc.trace_flags().to_u8() & RANDOM != 0 || self.random_for_local_traces,
        };
        let mut flags = 0;
        if sc.is_sampled() {
            flags |= SAMPLED;
        }
        if random {
            flags |= RANDOM;
        }
        sink.set_ascii(&TRACEPARENT_FIELD, &traceparent(sc, flags));
        let tracestate = serialize_trace_state(sc.trace_state())
            .or_else(|| received.and_then(|state| state.tracestate.clone()));
        if let Some(tracestate) = tracestate {
            sink.set(&TRACESTATE_FIELD, tracestate);
        }
    }

    /// What [`TextMapPropagator::extract_with_context`] does, on any carrier.
    pub(crate) fn extract_from(&self, cx: &Context, carrier: Carrier<'_>) -> Context {
        let mut lines = carrier.lines(&TRACEPARENT_FIELD);
        let (Some(line), None) = (lines.next(), lines.next()) else {
            return cx.clone();
        };
        let Some(parent) = parse_traceparent(line) else {
            return cx.clone();
        };
        let members = parse_tracestate(carrier.lines(&TRACESTATE_FIELD))
            .filter(|members| !members.is_empty());
        let trace_state = members
            .as_deref()
            .and_then(|members| TraceState::from_key_value(members.iter().copied()).ok())
            .unwrap_or_default();
        let tracestate = members.map(|members| join_members(&members));
        let flags = parent.flags & (SAMPLED | RANDOM);
        let sc = SpanContext::new(
            parent.trace_id,
            parent.span_id,
            TraceFlags::new(flags),
            true,
            trace_state,
        );
        let state = W3cTraceState::new(parent.trace_id, flags & RANDOM != 0, tracestate);
        cx.with_remote_span_context(sc).with_value(state)
    }
}

/// `tracestate` members, held on the stack up to the usual few: a request's list does not
/// cost an allocation of its own before the `TraceState` is built from it.
type Members<'a> = SmallVec<[(&'a str, &'a str); 4]>;

struct Traceparent {
    trace_id: TraceId,
    span_id: SpanId,
    flags: u8,
}

/// One `traceparent` line, or `None` if the trace must restart.
fn parse_traceparent(line: &str) -> Option<Traceparent> {
    let value = trim_ows(line);
    if value.len() < TRACEPARENT_LEN {
        return None;
    }
    let bytes = value.as_bytes();
    let version = lower_hex_u64(bytes.get(0..2)?)?;
    if version == 0xff {
        return None;
    }
    if version == 0 && value.len() != TRACEPARENT_LEN {
        return None;
    }
    // Higher versions may append fields, each after a dash.
    if value.len() > TRACEPARENT_LEN && bytes.get(TRACEPARENT_LEN) != Some(&b'-') {
        return None;
    }
    if [2, 35, 52].iter().any(|&i| bytes.get(i) != Some(&b'-')) {
        return None;
    }
    let trace_id = lower_hex_u128(value.get(3..35)?)?;
    let span_id = lower_hex_u64(bytes.get(36..52)?)?;
    let flags = lower_hex_u64(bytes.get(53..55)?)?;
    if trace_id == 0 || span_id == 0 {
        return None;
    }
    Some(Traceparent {
        trace_id: TraceId::from(trace_id),
        span_id: SpanId::from(span_id),
        flags: u8::try_from(flags).ok()?,
    })
}

/// The members of the `tracestate` lines, in order; `None` when the whole list must be
/// discarded. Stops at the first member that invalidates the list, so the work is bounded
/// by 33 members whatever follows.
fn parse_tracestate<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Members<'a>> {
    let mut members = Members::new();
    for member in lines.flat_map(|line| split_ascii(line, b',')) {
        let member = trim_ows(member);
        if member.is_empty() {
            continue;
        }
        if members.len() == MAX_TRACESTATE_MEMBERS {
            return None;
        }
        let (key, value) = split_once_ascii(member, b'=')?;
        if !is_tracestate_key(key) || !is_tracestate_value(value) {
            return None;
        }
        if members.iter().any(|&(seen, _)| seen == key) {
            return None;
        }
        members.push((key, value));
    }
    Some(members)
}

/// `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`,
/// `keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"` (Level 2).
fn is_tracestate_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let Some((&first, rest)) = bytes.split_first() else {
        return false;
    };
    bytes.len() <= MAX_TRACESTATE_KEY_LEN
        && (first.is_ascii_lowercase() || first.is_ascii_digit())
        && rest
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-*/@".contains(&b))
}

/// `value = 0*255(chr) nblk-chr`, `nblk-chr = %x21-2B / %x2D-3C / %x3E-7E`,
/// `chr = %x20 / nblk-chr`.
fn is_tracestate_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    let Some(&last) = bytes.last() else {
        return false;
    };
    bytes.len() <= MAX_TRACESTATE_VALUE_LEN
        && last != b' '
        && bytes
            .iter()
            .all(|&b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=')
}

fn join_members(members: &[(&str, &str)]) -> String {
    let length = members.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(length);
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The span context's `TraceState` as a header, keeping only what a receiver may accept
/// (samplers can put anything in it, empty values included); `None` when nothing is left.
fn serialize_trace_state(trace_state: &TraceState) -> Option<String> {
    let mut members = Members::new();
    for (key, value) in trace_state {
        if members.len() == MAX_TRACESTATE_MEMBERS {
            break;
        }
        if is_tracestate_key(key)
            && is_tracestate_value(value)
            && !members.iter().any(|&(seen, _)| seen == key)
        {
            members.push((key, value));
        }
    }
    (!members.is_empty()).then(|| join_members(&members))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_level_2_grammar() {
        for key in [
            "a",
            "0",
            "foo@bar",
            "foo@@bar",
            "a@",
            "t@vvvvvvvvvvvvvvv",
            "a_-*/@",
        ] {
            assert!(is_tracestate_key(key), "{key}");
        }
        assert!(is_tracestate_key(&"k".repeat(256)));
        for key in ["", "@a", "_a", "A", "aB", "a b", "a=", "é"] {
            assert!(!is_tracestate_key(key), "{key}");
        }
        assert!(!is_tracestate_key(&"k".repeat(257)));
    }

    #[test]
    fn values_have_no_trailing_space_comma_or_equals() {
        for value in ["1", " 1", "a b", "!~", &"v".repeat(256)] {
            assert!(is_tracestate_value(value), "{value}");
        }
        for value in ["", "1 ", "a=b", "a,b", "\t", "é", &"v".repeat(257)] {
            assert!(!is_tracestate_value(value), "{value}");
        }
    }

    #[test]
    fn traceparent_is_written_in_lowercase_hex_and_read_back() {
        let sc = SpanContext::new(
            TraceId::from(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
            SpanId::from(0x00f0_67aa_0ba9_02b7),
            TraceFlags::new(0x03),
            false,
            TraceState::default(),
        );
        let written = traceparent(&sc, 0x03);
        assert_eq!(
            &written,
            b"00-0123456789abcdeffedcba9876543210-00f067aa0ba902b7-03"
        );
        let read = parse_traceparent(std::str::from_utf8(&written).unwrap()).unwrap();
        assert_eq!(
            (read.trace_id, read.span_id, read.flags),
            (sc.trace_id(), sc.span_id(), 0x03)
        );
    }

    #[test]
    fn traceparent_fields_are_checked_by_position() {
        let ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert!(parse_traceparent(ok).is_some());
        assert!(parse_traceparent(&ok.replace('-', "_")).is_none());
        // Multi-byte characters where the ASCII fields should be must not panic.
        assert!(
            parse_traceparent("0é-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_none()
        );
        assert!(
            parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e473é-00f067aa0ba902b7-01").is_none()
        );
        assert!(parse_traceparent(&"é".repeat(40)).is_none());
    }

    #[test]
    fn tracestate_parsing_stops_at_the_33rd_member() {
        let line: Vec<String> = (0..10_000).map(|i| format!("k{i}=v")).collect();
        let line = line.join(",");
        assert_eq!(parse_tracestate([line.as_str()].into_iter()), None);
        let line: Vec<String> = (0..32).map(|i| format!("k{i}=v")).collect();
        let line = line.join(",");
        assert_eq!(
            parse_tracestate([line.as_str()].into_iter()).map(|m| m.len()),
            Some(32)
        );
    }
}
