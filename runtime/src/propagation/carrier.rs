//! `http::HeaderMap` as a carrier: every header line is visible to the propagators.

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector};

/// What a header line that is not visible ASCII reads as. No grammar here accepts U+FFFD,
/// so such a line is still seen, and counted, but as invalid: two `traceparent` lines of
/// which one is binary junk are two lines, not one valid line.
const INVALID_LINE: &str = "\u{FFFD}";

/// Reads the headers of an incoming request or response.
///
/// Unlike opentelemetry-http's extractor, [`Extractor::get_all`] returns every line of a
/// header, which the W3C specifications need: two `traceparent` lines invalidate the trace
/// context, several `tracestate` or `baggage` lines are one list. A line with bytes outside
/// visible ASCII, space and tab reads as `"\u{FFFD}"`, which every propagator here refuses,
/// instead of disappearing.
///
/// ```
/// use opentelemetry::propagation::Extractor as _;
///
/// let mut headers = http::HeaderMap::new();
/// headers.append("tracestate", "a=1".parse().unwrap());
/// headers.append("tracestate", "b=2".parse().unwrap());
/// let extractor = traced::propagation::HeaderExtractor(&headers);
/// assert_eq!(extractor.get_all("tracestate"), Some(vec!["a=1", "b=2"]));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

fn line_text(value: &HeaderValue) -> &str {
    value.to_str().unwrap_or(INVALID_LINE)
}

impl Extractor for HeaderExtractor<'_> {
    /// The first line of the header.
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(line_text)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }

    /// Every line of the header, in order; `None` when it has none.
    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let lines: Vec<&str> = self.0.get_all(key).iter().map(line_text).collect();
        (!lines.is_empty()).then_some(lines)
    }
}

/// A header a propagator reads: its name as text (for an [`Extractor`]) and as a
/// [`HeaderName`] (for a [`HeaderMap`], looked up without parsing the name again).
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) header: HeaderName,
}

impl Field {
    /// `name` must be a lowercase header name (checked when the constant is built).
    pub(crate) const fn new(name: &'static str) -> Self {
        Self {
            name,
            header: HeaderName::from_static(name),
        }
    }
}

/// Where this crate's propagators read from: the headers of a request directly (what
/// [`extract`](super::extract) passes; no list of lines is built), or any [`Extractor`].
#[derive(Clone, Copy)]
pub(crate) enum Carrier<'a> {
    Headers(&'a HeaderMap),
    Extractor(&'a dyn Extractor),
}

impl<'a> Carrier<'a> {
    /// Every line of `field`, in order, as [`HeaderExtractor::get_all`] gives them.
    pub(crate) fn lines(self, field: &Field) -> Lines<'a> {
        match self {
            Carrier::Headers(headers) => Lines::Headers(headers.get_all(&field.header).iter()),
            Carrier::Extractor(extractor) => Lines::Listed(
                extractor
                    .get_all(field.name)
                    .unwrap_or_default()
                    .into_iter(),
            ),
        }
    }
}

/// The lines of one header.
pub(crate) enum Lines<'a> {
    Headers(http::header::ValueIter<'a, HeaderValue>),
    Listed(std::vec::IntoIter<&'a str>),
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Lines::Headers(values) => values.next().map(line_text),
            Lines::Listed(lines) => lines.next(),
        }
    }
}

/// Where this crate's propagators write: the headers of a request directly (what
/// [`inject`](super::inject) passes; the header name is not parsed again), or any
/// [`Injector`].
pub(crate) enum Sink<'a> {
    Headers(&'a mut HeaderMap),
    Injector(&'a mut dyn Injector),
}

impl Sink<'_> {
    /// Sets `field` to `value`, replacing every line it had, as [`HeaderInjector::set`].
    pub(crate) fn set(&mut self, field: &Field, value: String) {
        match self {
            Sink::Headers(headers) => {
                if let Ok(value) = HeaderValue::try_from(value) {
                    headers.insert(field.header.clone(), value);
                }
            }
            Sink::Injector(injector) => injector.set(field.name, value),
        }
    }

    /// [`set`](Self::set) for a value written as bytes (visible ASCII): a `HeaderMap` takes
    /// a copy of them, and only an [`Injector`] is given a `String`.
    pub(crate) fn set_ascii(&mut self, field: &Field, value: &[u8]) {
        match self {
            Sink::Headers(headers) => {
                if let Ok(value) = HeaderValue::from_bytes(value) {
                    headers.insert(field.header.clone(), value);
                }
            }
            Sink::Injector(injector) => {
                if let Ok(value) = std::str::from_utf8(value) {
                    injector.set(field.name, value.to_owned());
                }
            }
        }
    }
}

/// Writes headers on an outgoing request or response.
///
/// [`Injector::set`] replaces every line the header had, so a request that is retried, or
/// forwarded with the headers it came with, still carries exactly one `traceparent`. A
/// name or value that is not a valid header is skipped.
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::try_from(value),
        ) {
            self.0.insert(name, value);
        }
    }

    fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_lines_are_seen_as_invalid_lines() {
        let mut headers = HeaderMap::new();
        headers.append(
            "traceparent",
            HeaderValue::from_bytes(b"\xff\xfe junk").unwrap(),
        );
        headers.append("traceparent", HeaderValue::from_static("ok"));
        let extractor = HeaderExtractor(&headers);
        assert_eq!(
            extractor.get_all("traceparent"),
            Some(vec![INVALID_LINE, "ok"])
        );
        assert_eq!(extractor.get("traceparent"), Some(INVALID_LINE));
        assert_eq!(extractor.get_all("tracestate"), None);
        assert_eq!(extractor.get("tracestate"), None);
        assert_eq!(extractor.keys(), vec!["traceparent"]);
    }

    #[test]
    fn lookups_ignore_case_and_survive_invalid_names() {
        let mut headers = HeaderMap::new();
        headers.insert("baggage", HeaderValue::from_static("a=1"));
        let extractor = HeaderExtractor(&headers);
        assert_eq!(extractor.get("Baggage"), Some("a=1"));
        assert_eq!(extractor.get_all("BAGGAGE"), Some(vec!["a=1"]));
        assert_eq!(extractor.get("not a name"), None);
        assert_eq!(extractor.get_all("not a name"), None);
    }

    #[test]
    fn set_replaces_every_line_and_skips_invalid_headers() {
        let mut headers = HeaderMap::new();
        headers.append("traceparent", HeaderValue::from_static("old-1"));
        headers.append("traceparent", HeaderValue::from_static("old-2"));
        let mut injector = HeaderInjector(&mut headers);
        injector.set("Traceparent", "new".to_owned());
        injector.set("bad name", "x".to_owned());
        injector.set("tracestate", "line\nbreak".to_owned());
        let lines: Vec<_> = headers.get_all("traceparent").iter().collect();
        assert_eq!(lines, vec!["new"]);
        assert_eq!(headers.len(), 1);
    }
}
