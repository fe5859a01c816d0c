//! Context propagation: reading the trace context and baggage of an incoming request, and
//! writing them on an outgoing one.
//!
//! The propagators here implement OpenTelemetry's
//! [`TextMapPropagator`](opentelemetry::propagation::TextMapPropagator), so they work with
//! any OpenTelemetry pipeline, not only with this crate's attributes:
//!
//! - [`TraceContextPropagator`]: W3C Trace Context Level 2 (`traceparent`, `tracestate`);
//! - [`BaggagePropagator`]: W3C Baggage (`baggage`);
//! - [`B3Propagator`]: Zipkin B3, single header (`b3`) or multi header (`x-b3-*`);
//! - [`Propagators`]: several of them in order, as `OTEL_PROPAGATORS` lists them.
//!
//! [`HeaderExtractor`] and [`HeaderInjector`] connect them to an [`http::HeaderMap`];
//! [`extract`], [`inject`] and [`inject_current`] do both through the process-wide
//! propagator, which comes from `OTEL_PROPAGATORS` (default `tracecontext,baggage`) unless
//! [`set_propagator`] replaced it.
//!
//! ```
//! use opentelemetry::trace::TraceContextExt as _;
//!
//! let mut incoming = http::HeaderMap::new();
//! incoming.insert(
//!     "traceparent",
//!     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03".parse().unwrap(),
//! );
//! let cx = traced::propagation::extract(&incoming);
//! assert!(cx.span().span_context().is_remote());
//!
//! let mut outgoing = http::HeaderMap::new();
//! traced::propagation::inject(&cx, &mut outgoing);
//! assert_eq!(
//!     outgoing["traceparent"],
//!     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
//! );
//! ```
//!
//! # Why not opentelemetry's own propagators
//!
//! A trace crosses services written in many languages and proxies in between; it survives
//! only if every hop parses and re-emits the context exactly as the specifications say.
//! opentelemetry 0.33's propagators, and the `HeaderExtractor` of opentelemetry-http, do not:
//!
//! - **Trace Context.** Fields of the wrong length are accepted and the invalid trace is
//!   continued (version `0` or `000`, a 31-digit trace id, a 15-digit parent id, flags `1`
//!   or `001`, a `+` sign before an id). Only the first header line is read: two
//!   `traceparent` lines must restart the trace, several `tracestate` lines must be joined
//!   in order. `tracestate` keys follow the Level 1 `tenant@vendor` rule instead of the
//!   Level 2 key grammar, 33 members are cut to 32 instead of the whole list being
//!   discarded, empty values (`foo=`) and repeated keys are accepted and sent on, and an
//!   empty `tracestate` is sent when there is none. The Level 2 `random` flag (`0x02`) is
//!   dropped on extract and on inject, and an unsampled child span loses all flags.
//!   [`TraceContextPropagator`] validates every field, reads every line, and keeps the
//!   random flag and the tracestate exactly as validated in a [`W3cTraceState`] stored in
//!   the [`Context`](opentelemetry::Context) beside the span context, where the OpenTelemetry
//!   types cannot hold them; every child span of the trace re-emits them.
//! - **Baggage.** opentelemetry's propagator reads only the first `baggage` line, drops a
//!   member whose percent-escapes are not UTF-8 instead of decoding them to U+FFFD, and
//!   drops the whole header when it exceeds 8192 bytes. [`BaggagePropagator`] follows the
//!   current grammar (properties, optional whitespace, empty values), reads every line,
//!   drops an invalid member without losing the valid ones, and keeps the 64-member and
//!   8192-byte limits by dropping whole members, on extract and on inject.
//! - **B3.** opentelemetry-propagator-b3 stores "sampling deferred" and "debug" in trace
//!   flag bits `0x02` and `0x04`; `0x02` is now W3C's random flag, so a sampled child of a
//!   W3C parent with the random flag is sent on as "deferred". Its extraction depends on
//!   the injection format, a single-header `d` does not set the sampled flag, it sends
//!   `b3: 0` (deny) when there is no span at all, and configured for the single header it
//!   sends the multi headers too. [`B3Propagator`] keeps its parsing and formatting but
//!   fixes these: see its documentation.
//!
//! Every parser here does bounded work and never panics, whatever the input: header values
//! of any length, binary bytes, thousands of list members. It stops at the first member
//! that makes the result invalid, and allocates only for what it keeps.

mod b3;
mod baggage;
mod carrier;
mod global;
mod trace_context;

pub use b3::B3Propagator;
pub use baggage::BaggagePropagator;
pub use carrier::{HeaderExtractor, HeaderInjector};
pub use global::{
    Propagators, UnknownPropagator, extract, extract_with, from_env_value, inject, inject_current,
    set_propagator, with_propagator,
};
pub use trace_context::{TraceContextPropagator, W3cTraceState};

/// Strips optional whitespace (RFC 7230 OWS: spaces and horizontal tabs) at both ends.
/// Byte by byte: both are ASCII, so every cut falls between characters.
fn trim_ows(s: &str) -> &str {
    let bytes = s.as_bytes();
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let Some(start) = bytes.iter().position(|b| !is_ows(b)) else {
        return "";
    };
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |last| last + 1);
    &s[start..end]
}

/// Splits `s` at every `separator`, an ASCII byte (a plain scan: header lists are short,
/// and `str::split`'s searcher costs more to set up than they take to read).
fn split_ascii(s: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `s` cut at its first `separator`, an ASCII byte (see [`split_ascii`]).
fn split_once_ascii(s: &str, separator: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == separator)?;
    Some((&s[..at], &s[at + 1..]))
}

/// Lowercase hex digits' values; 0xff for every other byte.
const LOWER_HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut digit = 0;
    while digit < 16 {
        table[b"0123456789abcdef"[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};

/// The value of one lowercase hex digit; uppercase digits are not hex here, as both the
/// W3C and the B3 formats require lowercase.
fn lower_hex_digit(b: u8) -> Option<u8> {
    let digit = LOWER_HEX[usize::from(b)];
    (digit != 0xff).then_some(digit)
}

/// Parses lowercase hex of 1 to 16 digits, without a branch per digit.
fn lower_hex_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let mut value = 0u64;
    let mut seen = 0u8;
    for &b in bytes {
        let digit = LOWER_HEX[usize::from(b)];
        seen |= digit;
        value = (value << 4) | u64::from(digit & 0x0f);
    }
    // A byte that is not a digit set the high bits.
    (seen & 0xf0 == 0).then_some(value)
}

/// Parses lowercase hex of 1 to 32 digits. Unlike `u128::from_str_radix`, which
/// opentelemetry's `TraceId::from_hex` uses, it refuses a sign and uppercase digits.
fn lower_hex_u128(s: &str) -> Option<u128> {
    let bytes = s.as_bytes();
    if bytes.len() > 32 {
        return None;
    }
    let (high, low) = bytes.split_at(bytes.len().saturating_sub(16));
    let low = lower_hex_u64(low)?;
    let high = match high.is_empty() {
        true => 0,
        false => lower_hex_u64(high)?,
    };
    Some((u128::from(high) << 64) | u128::from(low))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_refuses_signs_uppercase_and_overlong() {
        assert_eq!(lower_hex_u128("0a"), Some(10));
        assert_eq!(lower_hex_u128("+a"), None);
        assert_eq!(lower_hex_u128("A"), None);
        assert_eq!(lower_hex_u128(""), None);
        assert_eq!(lower_hex_u128(&"f".repeat(32)), Some(u128::MAX));
        assert_eq!(lower_hex_u128(&"f".repeat(33)), None);
    }

    #[test]
    fn hex_digits_are_exactly_the_lowercase_ones() {
        for b in 0..=u8::MAX {
            let expected = match b {
                b'0'..=b'9' => Some(b - b'0'),
                b'a'..=b'f' => Some(b - b'a' + 10),
                _ => None,
            };
            assert_eq!(lower_hex_digit(b), expected, "byte {b:#04x}");
            // Inside a number, at either end and in the middle, of both halves.
            for at in [0, 7, 15, 16, 31] {
                let mut digits = *b"0123456789abcdef0123456789abcdef";
                digits[at] = b;
                let text = String::from_utf8_lossy(&digits).into_owned();
                let parsed = lower_hex_u128(&text);
                match expected {
                    Some(_) => assert_eq!(parsed, u128::from_str_radix(&text, 16).ok()),
                    None => assert_eq!(parsed, None, "{text:?}"),
                }
            }
        }
        for len in 1..=32 {
            let text = &"fedcba9876543210f0e1d2c3b4a59687"[..len];
            assert_eq!(lower_hex_u128(text), u128::from_str_radix(text, 16).ok());
        }
    }

    #[test]
    fn ows_is_spaces_and_tabs_only() {
        assert_eq!(trim_ows(" \t a b \t "), "a b");
        assert_eq!(trim_ows("\na\n"), "\na\n");
        assert_eq!(trim_ows(" \t "), "");
        assert_eq!(trim_ows(""), "");
        assert_eq!(trim_ows(" é\u{a0} "), "é\u{a0}");
    }

    #[test]
    fn ascii_splits_match_the_standard_ones() {
        for text in ["", ",", "a", "a,b", ",a,,b,", "é,ü=1,=", "k=v=w"] {
            let ours: Vec<&str> = split_ascii(text, b',').collect();
            let std: Vec<&str> = text.split(',').collect();
            assert_eq!(ours, std, "{text:?}");
            assert_eq!(
                split_once_ascii(text, b'='),
                text.split_once('='),
                "{text:?}"
            );
        }
    }
}
