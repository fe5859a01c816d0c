//! The process-wide propagator, `OTEL_PROPAGATORS`, and extract/inject on `http` headers.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use http::HeaderMap;
use opentelemetry::Context;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};

use super::carrier::{Carrier, Sink};
use super::{
    B3Propagator, BaggagePropagator, HeaderExtractor, HeaderInjector, TraceContextPropagator,
};

type Shared = Arc<dyn TextMapPropagator + Send + Sync>;

/// The process-wide propagator. This crate's own propagators are kept as they are, so that
/// [`extract`] reads a `HeaderMap` directly instead of through the [`Extractor`] trait
/// (which lists every header's lines in a new `Vec`).
#[derive(Clone)]
enum Global {
    Ours(Arc<Propagators>),
    Other(Shared),
}

/// `None` until first used or set; then what [`with_propagator`] lends.
static GLOBAL: RwLock<Option<Global>> = RwLock::new(None);

/// One of the propagators in [`Propagators`]: this crate's own, which read `http` headers
/// directly, or any other.
#[derive(Debug)]
enum Member {
    TraceContext(TraceContextPropagator),
    Baggage(BaggagePropagator),
    Other(Box<dyn TextMapPropagator + Send + Sync>),
}

impl Member {
    fn get(&self) -> &(dyn TextMapPropagator + Send + Sync) {
        match self {
            Member::TraceContext(p) => p,
            Member::Baggage(p) => p,
            Member::Other(p) => &**p,
        }
    }

    fn inject_into(&self, cx: &Context, headers: &mut HeaderMap) {
        match self {
            Member::TraceContext(p) => p.inject_into(cx, &mut Sink::Headers(headers)),
            Member::Baggage(p) => p.inject_into(cx, &mut Sink::Headers(headers)),
            Member::Other(p) => p.inject_context(cx, &mut HeaderInjector(headers)),
        }
    }

    fn extract_from(&self, cx: &Context, headers: &HeaderMap) -> Context {
        match self {
            Member::TraceContext(p) => p.extract_from(cx, Carrier::Headers(headers)),
            Member::Baggage(p) => p.extract_from(cx, Carrier::Headers(headers)),
            Member::Other(p) => p.extract_with_context(cx, &HeaderExtractor(headers)),
        }
    }
}

/// Several propagators used as one, in order: each extracts into the context the one before
/// it returned (so the last to find a trace context wins), and all inject.
///
/// [`Default`] is `tracecontext,baggage`, the default of `OTEL_PROPAGATORS`;
/// [`from_env_value`] builds one from that variable's syntax.
#[derive(Debug)]
pub struct Propagators {
    members: Vec<Member>,
    fields: Vec<String>,
}

impl Propagators {
    /// These propagators, in this order.
    pub fn new(members: Vec<Box<dyn TextMapPropagator + Send + Sync>>) -> Self {
        Self::of(members.into_iter().map(Member::Other).collect())
    }

    fn of(members: Vec<Member>) -> Self {
        let mut fields: Vec<String> = Vec::new();
        for field in members.iter().flat_map(|member| member.get().fields()) {
            if !fields.iter().any(|seen| seen == field) {
                fields.push(field.to_owned());
            }
        }
        Self { members, fields }
    }

    /// No propagation at all (`OTEL_PROPAGATORS=none`).
    pub fn none() -> Self {
        Self::of(Vec::new())
    }

    /// Whether there is no propagator in it.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// [`TextMapPropagator::inject_context`] into `http` headers, written directly by this
    /// crate's propagators.
    fn inject_into(&self, cx: &Context, headers: &mut HeaderMap) {
        for member in &self.members {
            member.inject_into(cx, headers);
        }
    }

    /// [`TextMapPropagator::extract_with_context`] on `http` headers, read directly by this
    /// crate's propagators.
    fn extract_from(&self, cx: &Context, headers: &HeaderMap) -> Context {
        match self.members.as_slice() {
            // The usual case, without cloning the context first.
            [first, rest @ ..] => rest.iter().fold(first.extract_from(cx, headers), |cx, m| {
                m.extract_from(&cx, headers)
            }),
            [] => cx.clone(),
        }
    }
}

impl Default for Propagators {
    fn default() -> Self {
        Self::of(vec![
            Member::TraceContext(TraceContextPropagator::new()),
            Member::Baggage(BaggagePropagator::new()),
        ])
    }
}

impl TextMapPropagator for Propagators {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        for member in &self.members {
            member.get().inject_context(cx, injector);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        self.members.iter().fold(cx.clone(), |cx, member| {
            member.get().extract_with_context(&cx, extractor)
        })
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(&self.fields)
    }
}

/// A name in `OTEL_PROPAGATORS` that this crate does not provide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPropagator {
    name: String,
}

impl UnknownPropagator {
    /// The name, as written (trimmed).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownPropagator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown propagator `{}` in OTEL_PROPAGATORS: write `tracecontext`, `baggage`, `b3`, \
             `b3multi` or `none`",
            self.name
        )
    }
}

impl Error for UnknownPropagator {}

/// Builds the propagators a value of `OTEL_PROPAGATORS` names: a comma-separated list of
/// `tracecontext`, `baggage`, `b3` (single header), `b3multi` (multi headers) and `none`,
/// case-insensitive, in the order given.
///
/// `none` alone means no propagation; beside other names it adds nothing. A name given twice
/// is used once. An empty value (or one of commas only) means the default,
/// `tracecontext,baggage`, as an empty variable means an unset one.
///
/// # Errors
///
/// [`UnknownPropagator`] for the first name that is none of the above (`jaeger`, `xray`,
/// `ottrace` are not provided here).
///
/// ```
/// use opentelemetry::propagation::TextMapPropagator as _;
/// use traced::propagation::from_env_value;
///
/// let propagators = from_env_value("tracecontext, B3").unwrap();
/// assert_eq!(propagators.fields().collect::<Vec<_>>(), ["traceparent", "tracestate", "b3"]);
/// assert!(from_env_value("none").unwrap().is_empty());
/// assert_eq!(from_env_value("tracecontext,xray").unwrap_err().name(), "xray");
/// ```
pub fn from_env_value(value: &str) -> Result<Propagators, UnknownPropagator> {
    let mut names = value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .peekable();
    if names.peek().is_none() {
        return Ok(Propagators::default());
    }
    let mut seen: Vec<String> = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    for name in names {
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower) {
            continue;
        }
        match lower.as_str() {
            "tracecontext" => members.push(Member::TraceContext(TraceContextPropagator::new())),
            "baggage" => members.push(Member::Baggage(BaggagePropagator::new())),
            "b3" => members.push(Member::Other(Box::new(B3Propagator::single()))),
            "b3multi" => members.push(Member::Other(Box::new(B3Propagator::multi()))),
            "none" => {}
            _ => {
                return Err(UnknownPropagator {
                    name: name.to_owned(),
                });
            }
        }
        seen.push(lower);
    }
    Ok(Propagators::of(members))
}

/// What the process uses when nothing was set: `OTEL_PROPAGATORS`, or the default when it is
/// unset or invalid. Nothing is logged: a log line here could land inside the very first
/// request's span.
fn from_env_or_default(value: Option<&str>) -> Propagators {
    value
        .and_then(|value| from_env_value(value).ok())
        .unwrap_or_default()
}

/// Replaces the propagator that [`extract`], [`inject`] and [`with_propagator`] use, for the
/// whole process.
pub fn set_propagator(propagator: impl TextMapPropagator + Send + Sync + 'static) {
    let global = ours(propagator).map_or_else(Global::Other, Global::Ours);
    *GLOBAL.write().unwrap_or_else(PoisonError::into_inner) = Some(global);
}

/// `propagator` as [`Propagators`], when it is one of this crate's (what [`extract`] reads
/// headers with directly); otherwise as it is.
fn ours<P: TextMapPropagator + Send + Sync + 'static>(
    propagator: P,
) -> Result<Arc<Propagators>, Shared> {
    let mut slot = Some(propagator);
    let any: &mut dyn Any = &mut slot;
    if let Some(p) = any.downcast_mut::<Option<Propagators>>() {
        return Ok(Arc::new(p.take().expect("just set")));
    }
    if let Some(p) = any.downcast_mut::<Option<TraceContextPropagator>>() {
        let p = p.take().expect("just set");
        return Ok(Arc::new(Propagators::of(vec![Member::TraceContext(p)])));
    }
    if let Some(p) = any.downcast_mut::<Option<BaggagePropagator>>() {
        let p = p.take().expect("just set");
        return Ok(Arc::new(Propagators::of(vec![Member::Baggage(p)])));
    }
    Err(Arc::new(slot.take().expect("not taken")))
}

/// The process-wide propagator, set or read from the environment the first time. The lock
/// is not held once this returns.
fn global() -> Global {
    let current = GLOBAL
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match current {
        Some(global) => global,
        None => {
            let mut slot = GLOBAL.write().unwrap_or_else(PoisonError::into_inner);
            slot.get_or_insert_with(|| {
                let value = std::env::var("OTEL_PROPAGATORS").ok();
                Global::Ours(Arc::new(from_env_or_default(value.as_deref())))
            })
            .clone()
        }
    }
}

/// Runs `f` with the process-wide propagator: the one given to [`set_propagator`], or else
/// the one `OTEL_PROPAGATORS` names, read the first time it is needed (default
/// `tracecontext,baggage`).
///
/// The lock is not held while `f` runs, so `f` may call [`set_propagator`].
pub fn with_propagator<R>(f: impl FnOnce(&dyn TextMapPropagator) -> R) -> R {
    match global() {
        Global::Ours(propagators) => f(&*propagators),
        Global::Other(propagator) => f(&*propagator),
    }
}

/// The context of an incoming request: what the process-wide propagator finds in `headers`,
/// on top of an empty context.
pub fn extract(headers: &HeaderMap) -> Context {
    extract_with(&Context::new(), headers)
}

/// What the process-wide propagator finds in `headers`, on top of `parent`: where nothing
/// valid is found, `parent`'s span and baggage stay.
pub fn extract_with(parent: &Context, headers: &HeaderMap) -> Context {
    match global() {
        Global::Ours(propagators) => propagators.extract_from(parent, headers),
        Global::Other(propagator) => {
            propagator.extract_with_context(parent, &HeaderExtractor(headers))
        }
    }
}

/// Writes the trace context and baggage of `cx` into `headers` with the process-wide
/// propagator, replacing the lines those headers had.
pub fn inject(cx: &Context, headers: &mut HeaderMap) {
    match global() {
        Global::Ours(propagators) => propagators.inject_into(cx, headers),
        Global::Other(propagator) => propagator.inject_context(cx, &mut HeaderInjector(headers)),
    }
}

/// [`inject`] with the context of the current span ([`current_context`](crate::current_context)).
pub fn inject_current(headers: &mut HeaderMap) {
    inject(&crate::current_context(), headers);
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::baggage::BaggageExt as _;
    use opentelemetry::trace::TraceContextExt as _;

    fn fields(p: &Propagators) -> Vec<&str> {
        p.fields().collect()
    }

    #[test]
    fn env_values() {
        let default = ["traceparent", "tracestate", "baggage"];
        assert_eq!(fields(&from_env_value("").unwrap()), default);
        assert_eq!(fields(&from_env_value(" , ").unwrap()), default);
        assert_eq!(
            fields(&from_env_value("tracecontext,baggage").unwrap()),
            default
        );
        assert_eq!(
            fields(&from_env_value(" Baggage ,TRACECONTEXT,baggage").unwrap()),
            ["baggage", "traceparent", "tracestate"]
        );
        assert_eq!(fields(&from_env_value("b3").unwrap()), ["b3"]);
        assert_eq!(
            fields(&from_env_value("b3multi").unwrap()),
            ["x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags"]
        );
        assert!(from_env_value("none").unwrap().is_empty());
        assert_eq!(fields(&from_env_value("none,b3").unwrap()), ["b3"]);
        let err = from_env_value("tracecontext, jaeger ,xray").unwrap_err();
        assert_eq!(err.name(), "jaeger");
        assert!(err.to_string().contains("`jaeger`"));
    }

    #[test]
    fn env_errors_fall_back_to_the_default() {
        let default = ["traceparent", "tracestate", "baggage"];
        assert_eq!(fields(&from_env_or_default(None)), default);
        assert_eq!(fields(&from_env_or_default(Some("xray"))), default);
        assert_eq!(fields(&from_env_or_default(Some("b3"))), ["b3"]);
        assert!(from_env_or_default(Some("none")).is_empty());
    }

    /// Reading a `HeaderMap` directly gives what the `Extractor` path gives, header for
    /// header: the same span context, random flag, tracestate and baggage; writing one
    /// directly writes what the `Injector` path writes.
    #[test]
    fn headers_read_directly_as_through_the_extractor() {
        use super::super::W3cTraceState;
        const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03";
        let cases: &[&[(&str, &[u8])]] = &[
            &[],
            &[("traceparent", PARENT.as_bytes())],
            &[
                ("traceparent", PARENT.as_bytes()),
                ("traceparent", PARENT.as_bytes()),
            ],
            &[
                ("traceparent", b"\xff\xfe junk"),
                ("traceparent", PARENT.as_bytes()),
            ],
            &[(
                "traceparent",
                b" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t",
            )],
            &[(
                "traceparent",
                b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            )],
            &[
                ("traceparent", PARENT.as_bytes()),
                ("tracestate", b"a=1, b=2"),
                ("tracestate", b"foo@@bar=3"),
            ],
            &[
                ("traceparent", PARENT.as_bytes()),
                ("tracestate", b"a=1,a=2"),
            ],
            &[
                ("traceparent", PARENT.as_bytes()),
                ("tracestate", b"\xff=1"),
            ],
            &[
                ("baggage", b"a=1;p"),
                ("baggage", b"b=%E2%82%AC, bad key=1"),
            ],
            &[("traceparent", PARENT.as_bytes()), ("baggage", b"a=1")],
        ];
        let propagators = Propagators::default();
        for (i, case) in cases.iter().enumerate() {
            let mut headers = HeaderMap::new();
            for (name, value) in case.iter() {
                let value = http::HeaderValue::from_bytes(value).unwrap();
                headers.append(*name, value);
            }
            let direct = propagators.extract_from(&Context::new(), &headers);
            let listed =
                propagators.extract_with_context(&Context::new(), &HeaderExtractor(&headers));
            assert_eq!(
                direct.span().span_context(),
                listed.span().span_context(),
                "case {i}"
            );
            assert_eq!(
                direct.get::<W3cTraceState>(),
                listed.get::<W3cTraceState>(),
                "case {i}"
            );
            let baggage = |cx: &Context| {
                let mut all: Vec<String> = cx
                    .baggage()
                    .iter()
                    .map(|(k, (v, m))| format!("{k}={v};{}", m.as_str()))
                    .collect();
                all.sort();
                all
            };
            assert_eq!(baggage(&direct), baggage(&listed), "case {i}");

            // And writes what the `Injector` path writes, over stale lines too.
            let stale = || {
                let mut headers = HeaderMap::new();
                headers.append("traceparent", "stale".parse().unwrap());
                headers.append("traceparent", "stale".parse().unwrap());
                headers
            };
            let (mut written, mut injected) = (stale(), stale());
            propagators.inject_into(&direct, &mut written);
            propagators.inject_context(&direct, &mut HeaderInjector(&mut injected));
            assert_eq!(written, injected, "case {i}");
        }
        // The cases do reach the parser: one valid parent, its tracestate, and baggage.
        let mut headers = HeaderMap::new();
        headers.append("traceparent", PARENT.parse().unwrap());
        headers.append("tracestate", "a=1".parse().unwrap());
        let cx = propagators.extract_from(&Context::new(), &headers);
        assert!(cx.span().span_context().is_remote());
        assert_eq!(cx.get::<W3cTraceState>().unwrap().tracestate(), Some("a=1"));
    }

    #[test]
    fn this_crates_propagators_are_recognised_when_set() {
        assert!(ours(Propagators::default()).is_ok());
        assert!(ours(TraceContextPropagator::new()).is_ok());
        assert!(ours(BaggagePropagator::new()).is_ok());
        assert!(ours(B3Propagator::single()).is_err());
        let sdk = opentelemetry_sdk::propagation::TraceContextPropagator::new();
        assert!(ours(sdk).is_err());
    }

    // The only test in this crate that touches the process-wide propagator.
    #[test]
    fn extract_and_inject_through_the_global_propagator() {
        set_propagator(Propagators::default());
        let mut incoming = HeaderMap::new();
        incoming.append(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        incoming.append("baggage", "a=1".parse().unwrap());
        incoming.append("baggage", "b=2".parse().unwrap());
        let cx = extract(&incoming);
        assert_eq!(
            cx.span().span_context().trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(cx.baggage().len(), 2);

        let mut outgoing = HeaderMap::new();
        outgoing.append("traceparent", "stale".parse().unwrap());
        outgoing.append("traceparent", "stale".parse().unwrap());
        inject(&cx, &mut outgoing);
        let lines: Vec<_> = outgoing.get_all("traceparent").iter().collect();
        assert_eq!(
            lines,
            ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
        );
        assert_eq!(outgoing["baggage"], "a=1,b=2");

        set_propagator(Propagators::none());
        let mut outgoing = HeaderMap::new();
        inject(&cx, &mut outgoing);
        assert!(outgoing.is_empty());
        assert!(!extract(&incoming).span().span_context().is_valid());
        let kept = extract_with(&cx, &HeaderMap::new());
        assert_eq!(kept.span().span_context(), cx.span().span_context());

        // `f` may replace the propagator it was lent.
        with_propagator(|_| set_propagator(Propagators::default()));
        assert!(extract(&incoming).span().span_context().is_valid());
    }
}
