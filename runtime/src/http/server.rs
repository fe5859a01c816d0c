//! The SERVER span of an incoming request: its name, parent and attributes at creation,
//! and its status once the response is known.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, Version, header};
use opentelemetry::trace::{Span as _, SpanKind};
use opentelemetry::{Array, Context, KeyValue, StringValue, Value};

use super::{
    CLIENT_ADDRESS, FORCE_TRACE_ATTRIBUTE, ForceTrace, ForwardedHeaders, HTTP_REQUEST_METHOD,
    HTTP_RESPONSE_STATUS_CODE, HTTP_ROUTE, NETWORK_PEER_ADDRESS, NETWORK_PEER_PORT,
    NETWORK_PROTOCOL_VERSION, SERVER_ADDRESS, SERVER_PORT, URL_PATH, URL_QUERY, URL_SCHEME,
    USER_AGENT_ORIGINAL, config, protocol_version, push_method, redact_query, span_name,
};
use crate::error_recording::{Failure, record_failure};
use crate::span_access::with_otel_span;
use crate::span_start::SpanStart;

/// What a server span is built from: as much of the request as the handler can see.
#[derive(Debug, Clone, Copy)]
pub struct ServerParts<'a> {
    /// The request method, when known.
    pub method: Option<&'a Method>,
    /// The request target, when known.
    pub uri: Option<&'a Uri>,
    /// The HTTP version, when known.
    pub version: Option<Version>,
    /// The request headers.
    pub headers: &'a HeaderMap,
}

/// A request, or the part of one, that a `#[traced_handler]` outside axum reads: an
/// `http::Request<B>`, its `http::request::Parts`, or only its `HeaderMap`.
pub trait RequestSource {
    /// What the server span can be built from.
    fn server_parts(&self) -> ServerParts<'_>;
}

impl RequestSource for HeaderMap {
    fn server_parts(&self) -> ServerParts<'_> {
        ServerParts {
            method: None,
            uri: None,
            version: None,
            headers: self,
        }
    }
}

impl<B> RequestSource for http::Request<B> {
    fn server_parts(&self) -> ServerParts<'_> {
        ServerParts {
            method: Some(self.method()),
            uri: Some(self.uri()),
            version: Some(self.version()),
            headers: self.headers(),
        }
    }
}

impl RequestSource for http::request::Parts {
    fn server_parts(&self) -> ServerParts<'_> {
        ServerParts {
            method: Some(&self.method),
            uri: Some(&self.uri),
            version: Some(self.version),
            headers: &self.headers,
        }
    }
}

impl<T: RequestSource + ?Sized> RequestSource for &T {
    fn server_parts(&self) -> ServerParts<'_> {
        (**self).server_parts()
    }
}

impl<T: RequestSource + ?Sized> RequestSource for &mut T {
    fn server_parts(&self) -> ServerParts<'_> {
        (**self).server_parts()
    }
}

/// An incoming request, read once: the server span's name, its attributes at creation, and
/// its parent (the caller's context, extracted with the configured propagators, with the
/// forwarded headers and the force-trace mark).
#[derive(Debug, Clone)]
pub struct IncomingRequest {
    method: &'static str,
    name: Cow<'static, str>,
    attributes: Vec<KeyValue>,
    parent: Context,
    start: SystemTime,
    /// The sampler's decision, taken once the parent was known.
    decision: Option<crate::sampling::Presampled>,
}

impl IncomingRequest {
    /// Reads `parts`. `method` and `route` stand in for what `parts` does not say (a
    /// handler that sees only headers); `peer` is the connection's remote address.
    pub fn new(
        parts: ServerParts<'_>,
        method: Option<&str>,
        route: Option<&str>,
        peer: Option<SocketAddr>,
    ) -> Self {
        let start = SystemTime::now();
        let config = config();
        let headers = parts.headers;
        let given_method = method.and_then(|m| Method::from_bytes(m.as_bytes()).ok());
        let method = parts.method.or(given_method.as_ref());

        // The parent first: when the sampler drops the span, nothing else is built.
        let mut parent = crate::propagation::extract(headers);
        let mut forward = Vec::new();
        for (name, _) in &config.forwarded_headers {
            for value in headers.get_all(name) {
                forward.push((name.clone(), value.clone()));
            }
        }
        // Shared by the context (for outgoing requests) and, below, the span's attributes.
        let forward: Option<Arc<[(HeaderName, HeaderValue)]>> =
            (!forward.is_empty()).then(|| forward.into());
        if let Some(headers) = &forward {
            parent = parent.with_value(ForwardedHeaders {
                headers: Arc::clone(headers),
            });
        }
        let forced = config.force_trace_header.as_ref().is_some_and(|name| {
            headers.get_all(name).iter().any(|value| {
                let value = value.as_bytes().trim_ascii();
                value.eq_ignore_ascii_case(b"true") || value == b"1"
            })
        });
        if forced {
            parent = parent.with_value(ForceTrace);
        }
        let decision = crate::span_start::decide(&parent);
        if crate::span_start::drops(decision) {
            let method = method.map_or("_OTHER", |m| super::method_attribute(m).0);
            return Self {
                method,
                name: span_name(method, route),
                attributes: Vec::new(),
                parent,
                start,
                decision,
            };
        }

        let mut attributes = Vec::with_capacity(14);
        let method_name = match method {
            Some(method) => push_method(&mut attributes, method),
            None => {
                attributes.push(KeyValue::new(HTTP_REQUEST_METHOD, "_OTHER"));
                "_OTHER"
            }
        };
        if let Some(route) = route {
            attributes.push(KeyValue::new(HTTP_ROUTE, super::recent::text(route)));
        }
        let name = span_name(method_name, route);

        let forwarded = config.trust_forwarded.then(|| Forwarded::parse(headers));
        let uri = parts.uri;
        if let Some(uri) = uri {
            attributes.push(KeyValue::new(URL_PATH, uri.path().to_owned()));
            if let Some(query) = uri.query() {
                attributes.push(KeyValue::new(URL_QUERY, redact_query(query).into_owned()));
            }
        }
        let scheme: Cow<'static, str> = match forwarded.as_ref().and_then(|f| f.proto.clone()) {
            Some(proto) => proto.into(),
            None => match uri.and_then(Uri::scheme_str) {
                None | Some("http") => "http".into(),
                Some("https") => "https".into(),
                Some(other) => other.to_owned().into(),
            },
        };
        let host: Option<Cow<'_, str>> = forwarded
            .as_ref()
            .and_then(|f| f.host.as_deref().map(Cow::Borrowed))
            .or_else(|| uri.and_then(Uri::authority).map(|a| a.as_str().into()))
            .or_else(|| header_str(headers, &header::HOST).map(Cow::Borrowed));
        if let Some((address, port)) = host.as_deref().and_then(split_host_port) {
            attributes.push(KeyValue::new(SERVER_ADDRESS, super::recent::text(address)));
            let port = port.or(match &*scheme {
                "https" => Some(443),
                "http" => Some(80),
                _ => None,
            });
            if let Some(port) = port {
                attributes.push(KeyValue::new(SERVER_PORT, i64::from(port)));
            }
        }
        attributes.push(KeyValue::new(URL_SCHEME, scheme));

        // The peer's address is written once and shared by both attributes that carry it.
        let peer_ip: Option<StringValue> = peer.map(|p| super::recent::peer(p.ip()));
        let client = match forwarded.as_ref().and_then(|f| f.client.clone()) {
            Some(client) => Some(StringValue::from(client)),
            None => peer_ip.clone(),
        };
        if let Some(client) = client {
            attributes.push(KeyValue::new(CLIENT_ADDRESS, client));
        }
        if let (Some(peer), Some(ip)) = (peer, peer_ip) {
            attributes.push(KeyValue::new(NETWORK_PEER_ADDRESS, ip));
            attributes.push(KeyValue::new(NETWORK_PEER_PORT, i64::from(peer.port())));
        }
        if let Some(agent) = header_str(headers, &header::USER_AGENT) {
            attributes.push(KeyValue::new(
                USER_AGENT_ORIGINAL,
                super::recent::text(agent),
            ));
        }
        if let Some(version) = parts.version.and_then(protocol_version) {
            attributes.push(KeyValue::new(NETWORK_PROTOCOL_VERSION, version));
        }
        let forward = forward.as_deref().unwrap_or_default();
        for group in forward.chunk_by(|a, b| a.0 == b.0) {
            let values: Vec<StringValue> = group
                .iter()
                .filter_map(|(_, value)| value.to_str().ok())
                .map(|text| StringValue::from(text.to_owned()))
                .collect();
            let key = config
                .forwarded_headers
                .iter()
                .find(|(name, _)| *name == group[0].0)
                .map(|(_, key)| key.clone());
            if let Some(key) = key
                && !values.is_empty()
            {
                attributes.push(KeyValue::new(key, Value::Array(Array::String(values))));
            }
        }
        if forced {
            attributes.push(KeyValue::new(FORCE_TRACE_ATTRIBUTE, true));
        }

        Self {
            method: method_name,
            name,
            attributes,
            parent,
            start,
            decision,
        }
    }

    /// A request left unread, when no subscriber takes spans of any level: should a span be
    /// made from it after all, it has no attributes and no remote parent.
    #[cfg(feature = "axum")]
    pub(crate) fn unread() -> Self {
        Self {
            method: "_OTHER",
            name: span_name("_OTHER", None),
            attributes: Vec::new(),
            parent: Context::new(),
            start: SystemTime::now(),
            decision: None,
        }
    }

    /// Names the route (a template such as `/users/{id}`), for the span name and
    /// `http.route`.
    pub fn set_route(&mut self, route: &str) {
        self.name = span_name(self.method, Some(route));
        if crate::span_start::drops(self.decision) {
            return;
        }
        self.attributes.retain(|kv| kv.key != HTTP_ROUTE);
        self.attributes
            .push(KeyValue::new(HTTP_ROUTE, super::recent::text(route)));
    }

    #[cfg(feature = "axum")]
    pub(crate) fn set_start(&mut self, start: SystemTime) {
        self.start = start;
    }

    /// The span name this request gets: `{method} {route}`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The context the server span is started in: the caller's span, baggage, forwarded
    /// headers and force-trace mark.
    pub fn context(&self) -> &Context {
        &self.parent
    }

    /// The attributes the server span starts with.
    pub fn attributes(&self) -> &[KeyValue] {
        &self.attributes
    }

    /// The creation options of the server span, named `name` when given.
    #[doc(hidden)]
    pub fn span_start(self, name: Option<&'static str>) -> SpanStart {
        let name = name.map_or(self.name, Cow::Borrowed);
        SpanStart::default()
            .kind(SpanKind::Server)
            .name(name)
            .parent(self.parent)
            .attribute_vec(self.attributes)
            .start_time(self.start)
            .decided(self.decision)
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// `host[:port]` (IPv6 in brackets) split in two; `None` when it is not a host.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    // Plain byte scans: an authority is a few bytes long, shorter than what `memrchr`
    // (behind `rsplit_once`) takes to set up.
    let last = |text: &str, byte: u8| text.bytes().rposition(|b| b == byte);
    let authority = match last(authority, b'@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.bytes().position(|b| b == b']')?;
        let port = rest[end + 1..]
            .strip_prefix(':')
            .and_then(|p| p.parse().ok());
        return Some((&rest[..end], port));
    }
    match last(authority, b':') {
        Some(0) => None,
        Some(at) => Some((&authority[..at], authority[at + 1..].parse().ok())),
        None if authority.is_empty() => None,
        None => Some((authority, None)),
    }
}

/// What trusted `Forwarded` / `X-Forwarded-*` headers say about the original request.
#[derive(Debug, Default)]
struct Forwarded {
    client: Option<String>,
    proto: Option<String>,
    host: Option<String>,
}

impl Forwarded {
    fn parse(headers: &HeaderMap) -> Self {
        let mut out = Forwarded::default();
        // RFC 7239: the first element is the one the first proxy added, about the client.
        if let Some(first) =
            header_str(headers, &header::FORWARDED).and_then(|value| value.split(',').next())
        {
            for pair in first.split(';') {
                let Some((key, value)) = pair.trim().split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => out.client = forwarded_node(value),
                    "proto" => out.proto = Some(value.to_ascii_lowercase()),
                    "host" => out.host = Some(value.to_owned()),
                    _ => {}
                }
            }
        }
        let first_of = |name: &str| {
            header_str(
                headers,
                &header::HeaderName::from_bytes(name.as_bytes()).ok()?,
            )
            .and_then(|value| value.split(',').next())
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
        };
        if out.client.is_none() {
            out.client = first_of("x-forwarded-for").and_then(|v| forwarded_node(&v));
        }
        if out.proto.is_none() {
            out.proto = first_of("x-forwarded-proto").map(|v| v.to_ascii_lowercase());
        }
        if out.host.is_none() {
            out.host = first_of("x-forwarded-host");
        }
        out
    }
}

/// The address of a `Forwarded: for=` node or an `X-Forwarded-For` entry, without its port;
/// `None` for obfuscated (`_hidden`) or `unknown` nodes.
fn forwarded_node(node: &str) -> Option<String> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_string());
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip().to_string());
    }
    let (host, _) = split_host_port(node)?;
    host.parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

/// Records the response of a server span: `http.response.status_code`, and for 5xx status
/// Error with `error.type` (the failure's type when the handler failed, else the code). A
/// 4xx is the client's error, not the server's: status stays Unset. Without a status, a
/// failure is recorded as it is.
#[doc(hidden)]
pub fn record_server_status(span: &tracing::Span, status: Option<u16>, failure: Option<Failure>) {
    let Some(status) = status else {
        if let Some(failure) = failure {
            failure.record(span);
        }
        return;
    };
    with_otel_span(span, |otel| {
        if otel.span.is_recording() {
            otel.span
                .set_attribute(KeyValue::new(HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        }
    });
    if status >= 500 {
        match failure {
            Some(failure) => failure.record(span),
            None => record_failure(span, status.to_string(), String::new()),
        }
    }
}

/// A return value that says which status a handler answered with.
#[doc(hidden)]
pub trait HasStatus {
    fn response_status(&self) -> Option<u16>;
}

impl<B> HasStatus for http::Response<B> {
    fn response_status(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
}

impl HasStatus for http::StatusCode {
    fn response_status(&self) -> Option<u16> {
        Some(self.as_u16())
    }
}

impl<T> HasStatus for (http::StatusCode, T) {
    fn response_status(&self) -> Option<u16> {
        Some(self.0.as_u16())
    }
}

impl<T: HasStatus, E> HasStatus for Result<T, E> {
    fn response_status(&self) -> Option<u16> {
        self.as_ref().ok().and_then(HasStatus::response_status)
    }
}

/// Autoref specialisation: the status of a return value that has one, else nothing.
#[doc(hidden)]
#[derive(Debug)]
pub struct StatusOf<'a, T: ?Sized>(pub &'a T);

#[doc(hidden)]
pub trait KnownStatus {
    fn traced_status(self) -> Option<u16>;
}

impl<T: HasStatus + ?Sized> KnownStatus for &&StatusOf<'_, T> {
    fn traced_status(self) -> Option<u16> {
        self.0.response_status()
    }
}

#[doc(hidden)]
pub trait NoStatus {
    fn traced_status(self) -> Option<u16>;
}

impl<T: ?Sized> NoStatus for &StatusOf<'_, T> {
    fn traced_status(self) -> Option<u16> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() {
        assert_eq!(split_host_port("a.b:8080"), Some(("a.b", Some(8080))));
        assert_eq!(split_host_port("a.b"), Some(("a.b", None)));
        assert_eq!(split_host_port("[::1]:80"), Some(("::1", Some(80))));
        assert_eq!(split_host_port("[::1]"), Some(("::1", None)));
        assert_eq!(split_host_port(":80"), None);
        assert_eq!(split_host_port(""), None);
        assert_eq!(split_host_port("user@a.b:81"), Some(("a.b", Some(81))));
        assert_eq!(split_host_port("u@v@a.b"), Some(("a.b", None)));
        assert_eq!(split_host_port("a:b:x"), Some(("a:b", None)));
        assert_eq!(split_host_port("[::1]x"), Some(("::1", None)));
        assert_eq!(split_host_port("[::1"), None);
    }

    #[test]
    fn forwarded_nodes() {
        assert_eq!(forwarded_node("192.0.2.60"), Some("192.0.2.60".into()));
        assert_eq!(
            forwarded_node("[2001:db8::1]:4711"),
            Some("2001:db8::1".into())
        );
        assert_eq!(forwarded_node("192.0.2.60:80"), Some("192.0.2.60".into()));
        assert_eq!(forwarded_node("_hidden"), None);
        assert_eq!(forwarded_node("unknown"), None);
    }
}
