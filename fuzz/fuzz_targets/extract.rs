//! Arbitrary header lines through every propagator, then out again and back in.
//!
//! Input: lines separated by `\n`; a line's first byte picks the header name, the rest is
//! its value (lines that are not valid header values are skipped, as `http` would never
//! hold them). A name may come many times, so duplicate-line handling is exercised.

#![no_main]

use std::sync::LazyLock;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use opentelemetry::Context;
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::TraceContextExt as _;
use traced::propagation::{HeaderExtractor, HeaderInjector, Propagators, from_env_value};

const NAMES: [&str; 10] = [
    "traceparent",
    "tracestate",
    "baggage",
    "b3",
    "x-b3-traceid",
    "x-b3-spanid",
    "x-b3-sampled",
    "x-b3-flags",
    "x-b3-parentspanid",
    "x-other",
];

static ALL: LazyLock<Propagators> = LazyLock::new(|| {
    from_env_value("tracecontext,baggage,b3,b3multi").expect("known propagator names")
});

fn headers(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some((&selector, value)) = line.split_first() else {
            continue;
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            map.append(NAMES[usize::from(selector) % NAMES.len()], value);
        }
    }
    map
}

fuzz_target!(|data: &[u8]| {
    let incoming = headers(data);
    let cx = ALL.extract_with_context(&Context::new(), &HeaderExtractor(&incoming));
    let sc = cx.span().span_context().clone();

    let mut outgoing = HeaderMap::new();
    ALL.inject_context(&cx, &mut HeaderInjector(&mut outgoing));

    for name in NAMES {
        assert!(
            outgoing.get_all(name).iter().count() <= 1,
            "{name} sent twice"
        );
    }
    match outgoing.get("traceparent") {
        Some(traceparent) => {
            assert!(sc.is_valid());
            assert_eq!(traceparent.len(), 55);
        }
        None => assert!(!sc.is_valid()),
    }
    if let Some(tracestate) = outgoing.get("tracestate") {
        let tracestate = tracestate.to_str().expect("visible ASCII");
        assert!(!tracestate.is_empty());
        assert!(tracestate.split(',').count() <= 32);
    }
    if let Some(baggage) = outgoing.get("baggage") {
        assert!(baggage.len() <= 8192);
        assert!(baggage.to_str().expect("visible ASCII").split(',').count() <= 64);
    }

    // What goes out comes back in as the same trace, and no baggage is invented.
    let again = ALL.extract_with_context(&Context::new(), &HeaderExtractor(&outgoing));
    let back = again.span().span_context().clone();
    assert_eq!(back.trace_id(), sc.trace_id());
    assert_eq!(back.span_id(), sc.span_id());
    assert_eq!(back.is_sampled(), sc.is_sampled());
    for (key, (value, metadata)) in again.baggage() {
        let original = cx.baggage().get_with_metadata(key.as_str());
        assert_eq!(original, Some(&(value.clone(), metadata.clone())), "{key}");
    }
});
