//! HTTP semantics shared by the server and client attributes: the configuration of what
//! travels with a request (force trace, forwarded mesh headers), the semantic-convention
//! attributes of a request, and the status rules of a response.

mod client;
#[cfg(feature = "tonic")]
mod grpc;
mod recent;
mod server;

#[cfg(feature = "axum")]
pub mod axum;

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use opentelemetry::{Context, Key};

#[doc(hidden)]
pub use client::{ClientScope, SendSpan, client_start};
#[cfg(feature = "reqwest")]
#[doc(hidden)]
pub use client::{ExecuteGuard, ExecuteProbe, NoExecute, NoGuard, NoSend, SendProbe, TracedSend};
pub use client::{inject_context, inject_headers, inject_request, redact_url};
#[cfg(feature = "tonic")]
pub use grpc::{MetadataExtractor, MetadataInjector, extract_metadata, inject_metadata};
#[doc(hidden)]
pub use server::{HasStatus, KnownStatus, NoStatus, StatusOf, record_server_status};
pub use server::{IncomingRequest, RequestSource, ServerParts};

/// What travels with an incoming request besides the trace context, for every
/// `#[traced_handler]` of the process.
///
/// ```
/// traced::http::configure(
///     traced::http::HttpConfig::default()
///         .force_trace_header("x-debug-trace")
///         .forward_header("x-tenant-id")
///         .trust_forwarded_headers(true),
/// );
/// ```
#[derive(Debug, Clone)]
pub struct HttpConfig {
    force_trace_header: Option<HeaderName>,
    /// Each forwarded header, and the attribute that records it on the server span.
    forwarded_headers: Vec<(HeaderName, Key)>,
    trust_forwarded: bool,
}

/// `http.request.header.<name>`, the attribute of a forwarded header.
fn header_attribute(name: &HeaderName) -> Key {
    Key::new(format!("http.request.header.{name}"))
}

impl Default for HttpConfig {
    /// Force trace on `x-force-trace: true`, `x-request-id` forwarded, `Forwarded` and
    /// `X-Forwarded-*` headers not trusted.
    fn default() -> Self {
        Self {
            force_trace_header: Some(HeaderName::from_static("x-force-trace")),
            forwarded_headers: [HeaderName::from_static("x-request-id")]
                .into_iter()
                .map(|name| {
                    let key = header_attribute(&name);
                    (name, key)
                })
                .collect(),
            trust_forwarded: false,
        }
    }
}

impl HttpConfig {
    /// The request header that forces a request to be recorded and exported, whatever the
    /// sampler would say, when its value is `true` (any case) or `1`. Names that are not
    /// valid header names turn the feature off, as [`HttpConfig::no_force_trace`] does.
    pub fn force_trace_header(mut self, name: &str) -> Self {
        self.force_trace_header = HeaderName::try_from(name.to_ascii_lowercase()).ok();
        self
    }

    /// Turns force trace off: no header can override the sampler.
    pub fn no_force_trace(mut self) -> Self {
        self.force_trace_header = None;
        self
    }

    /// Adds a header that an incoming request hands on to every request the handler sends
    /// through `#[traced_client]` (as a service mesh wants: `x-request-id`, `x-b3-*` of
    /// Envoy, `x-ot-span-context`, tenant ids). It is also recorded on the server span as
    /// `http.request.header.<name>`. Invalid names are ignored.
    pub fn forward_header(mut self, name: &str) -> Self {
        if let Ok(name) = HeaderName::try_from(name.to_ascii_lowercase())
            && !self.forwarded_headers.iter().any(|(seen, _)| *seen == name)
        {
            let key = header_attribute(&name);
            self.forwarded_headers.push((name, key));
        }
        self
    }

    /// Forwards no header at all (not even `x-request-id`).
    pub fn no_forwarded_headers(mut self) -> Self {
        self.forwarded_headers.clear();
        self
    }

    /// Whether `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Proto` / `X-Forwarded-Host`
    /// decide `client.address`, `url.scheme` and `server.address`. Turn it on only behind a
    /// proxy that sets them: a client can write anything there.
    pub fn trust_forwarded_headers(mut self, trust: bool) -> Self {
        self.trust_forwarded = trust;
        self
    }
}

static CONFIG: RwLock<Option<Arc<HttpConfig>>> = RwLock::new(None);
/// Incremented by every [`configure`]: a thread's copy of an older configuration is stale.
static GENERATION: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's copy of the configuration and its generation. Requests read it
    /// without a lock or a shared reference count, which every core would write to.
    static LOCAL_CONFIG: RefCell<Option<(u64, Rc<HttpConfig>)>> = const { RefCell::new(None) };
}

/// Sets the HTTP configuration of the process (see [`HttpConfig`]).
pub fn configure(config: HttpConfig) {
    let mut slot = CONFIG
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *slot = Some(Arc::new(config));
    GENERATION.fetch_add(1, Ordering::Release);
}

/// The configuration, as this thread last read it while it is current.
pub(crate) fn config() -> Rc<HttpConfig> {
    let generation = GENERATION.load(Ordering::Acquire);
    LOCAL_CONFIG
        .try_with(|local| {
            let mut local = local.borrow_mut();
            match &*local {
                Some((seen, config)) if *seen == generation => Rc::clone(config),
                _ => {
                    let config = Rc::new(HttpConfig::clone(&shared_config()));
                    *local = Some((generation, Rc::clone(&config)));
                    config
                }
            }
        })
        .unwrap_or_else(|_| Rc::new(HttpConfig::clone(&shared_config())))
}

fn shared_config() -> Arc<HttpConfig> {
    {
        let slot = CONFIG
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(config) = slot.as_ref() {
            return Arc::clone(config);
        }
    }
    let mut slot = CONFIG
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(slot.get_or_insert_with(|| Arc::new(HttpConfig::default())))
}

/// The headers of an incoming request that its outgoing requests forward (see
/// [`HttpConfig::forward_header`]), kept in the request's [`Context`].
#[derive(Debug, Clone, Default)]
pub struct ForwardedHeaders {
    headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl ForwardedHeaders {
    /// The forwarded headers of `cx`, if the request it belongs to had any.
    pub fn of(cx: &Context) -> Option<&ForwardedHeaders> {
        cx.get::<ForwardedHeaders>()
    }

    /// The headers, in configuration order.
    pub fn iter(&self) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
        self.headers.iter().map(|(name, value)| (name, value))
    }

    /// Sets each forwarded header on `headers`, unless it already has it.
    pub fn apply_to(&self, headers: &mut HeaderMap) {
        for (name, value) in self.iter() {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Marks a [`Context`] whose spans are recorded and exported whatever the sampler says (see
/// [`crate::sampling::ForceTraceSampler`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForceTrace;

impl ForceTrace {
    /// Whether `cx` asks for its spans to be recorded.
    pub fn is_set(cx: &Context) -> bool {
        cx.get::<ForceTrace>().is_some()
    }
}

pub(crate) const HTTP_REQUEST_METHOD: Key = Key::from_static_str("http.request.method");
pub(crate) const HTTP_REQUEST_METHOD_ORIGINAL: Key =
    Key::from_static_str("http.request.method_original");
pub(crate) const HTTP_RESPONSE_STATUS_CODE: Key = Key::from_static_str("http.response.status_code");
pub(crate) const HTTP_ROUTE: Key = Key::from_static_str("http.route");
pub(crate) const URL_PATH: Key = Key::from_static_str("url.path");
pub(crate) const URL_QUERY: Key = Key::from_static_str("url.query");
pub(crate) const URL_SCHEME: Key = Key::from_static_str("url.scheme");
pub(crate) const SERVER_ADDRESS: Key = Key::from_static_str("server.address");
pub(crate) const SERVER_PORT: Key = Key::from_static_str("server.port");
pub(crate) const CLIENT_ADDRESS: Key = Key::from_static_str("client.address");
pub(crate) const NETWORK_PEER_ADDRESS: Key = Key::from_static_str("network.peer.address");
pub(crate) const NETWORK_PEER_PORT: Key = Key::from_static_str("network.peer.port");
pub(crate) const USER_AGENT_ORIGINAL: Key = Key::from_static_str("user_agent.original");
pub(crate) const NETWORK_PROTOCOL_VERSION: Key = Key::from_static_str("network.protocol.version");
pub(crate) const FORCE_TRACE_ATTRIBUTE: Key = Key::from_static_str("traced.force_trace");

/// `http.request.method` for `method`, and `http.request.method_original` when the method
/// is not one the semantic conventions know (then `_OTHER`).
pub(crate) fn method_attribute(method: &Method) -> (&'static str, Option<&str>) {
    let known = match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ if method.as_str() == "QUERY" => "QUERY",
        _ => return ("_OTHER", Some(method.as_str())),
    };
    (known, None)
}

/// Pushes `http.request.method` (and `http.request.method_original` for a method semconv
/// does not know) and returns the method's name for the span name.
pub(crate) fn push_method(
    attributes: &mut Vec<opentelemetry::KeyValue>,
    method: &Method,
) -> &'static str {
    let (name, original) = method_attribute(method);
    attributes.push(opentelemetry::KeyValue::new(HTTP_REQUEST_METHOD, name));
    if let Some(original) = original {
        attributes.push(opentelemetry::KeyValue::new(
            HTTP_REQUEST_METHOD_ORIGINAL,
            original.to_owned(),
        ));
    }
    name
}

/// The span name semconv asks for: `{method} {target}`, `HTTP` standing for an unknown
/// method, the method alone without a target.
pub(crate) fn span_name(method: &'static str, target: Option<&str>) -> Cow<'static, str> {
    let method = if method == "_OTHER" { "HTTP" } else { method };
    match target {
        Some(target) => recent::name(method, target),
        None => Cow::Borrowed(method),
    }
}

/// `network.protocol.version` of an HTTP version.
pub(crate) fn protocol_version(version: http::Version) -> Option<&'static str> {
    Some(match version {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_11 => "1.1",
        http::Version::HTTP_2 => "2",
        http::Version::HTTP_3 => "3",
        _ => return None,
    })
}

/// The query parameters whose values semconv asks to redact (`url.query`, `url.full`).
const SIGNED_URL_PARAMETERS: [&str; 7] = [
    "AWSAccessKeyId",
    "Signature",
    "sig",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
    "X-Goog-Signature",
];

/// `query` with the values of signed-URL parameters replaced by `REDACTED`; everything
/// else, order and encoding included, unchanged.
pub fn redact_query(query: &str) -> Cow<'_, str> {
    let sensitive = |pair: &str| {
        let key = pair.split_once('=').map_or(pair, |(key, _)| key);
        SIGNED_URL_PARAMETERS.contains(&key)
    };
    if !query
        .split('&')
        .any(|pair| pair.contains('=') && sensitive(pair))
    {
        return Cow::Borrowed(query);
    }
    let mut out = String::with_capacity(query.len());
    for (index, pair) in query.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if SIGNED_URL_PARAMETERS.contains(&key) => {
                out.push_str(key);
                out.push_str("=REDACTED");
            }
            _ => out.push_str(pair),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_only_signed_url_parameters() {
        assert_eq!(redact_query("q=1&b=2"), "q=1&b=2");
        assert_eq!(
            redact_query("color=blue&sig=abc&X-Amz-Signature=x%20y&sigs=keep"),
            "color=blue&sig=REDACTED&X-Amz-Signature=REDACTED&sigs=keep"
        );
        assert_eq!(redact_query("Signature"), "Signature");
        assert_eq!(
            redact_query("&&AWSAccessKeyId=1&"),
            "&&AWSAccessKeyId=REDACTED&"
        );
    }

    #[test]
    fn methods_follow_semconv() {
        assert_eq!(method_attribute(&Method::GET), ("GET", None));
        let query = Method::from_bytes(b"QUERY").unwrap();
        assert_eq!(method_attribute(&query), ("QUERY", None));
        let custom = Method::from_bytes(b"PURGE").unwrap();
        assert_eq!(method_attribute(&custom), ("_OTHER", Some("PURGE")));
        assert_eq!(span_name("_OTHER", None), "HTTP");
        assert_eq!(span_name("GET", Some("/a/{id}")), "GET /a/{id}");
    }

    #[test]
    fn a_new_configuration_reaches_threads_that_read_the_old_one() {
        let names = |config: &HttpConfig| -> Vec<String> {
            config
                .forwarded_headers
                .iter()
                .map(|(name, key)| format!("{name} {}", key.as_str()))
                .collect()
        };
        // Read (and kept by this thread) before the change.
        assert!(names(&config()).contains(&"x-request-id http.request.header.x-request-id".into()));
        // A superset of the default, so that tests running meanwhile see what they expect.
        configure(HttpConfig::default().forward_header("X-Tenant-Id"));
        let here = names(&config());
        assert!(
            here.contains(&"x-tenant-id http.request.header.x-tenant-id".into()),
            "{here:?}"
        );
        let there = std::thread::spawn(move || names(&config())).join().unwrap();
        assert_eq!(here, there);
        configure(HttpConfig::default());
        assert_eq!(
            names(&config()),
            ["x-request-id http.request.header.x-request-id"]
        );
    }
}
