//! CLIENT spans of outgoing requests, and the carrier API that puts the current context on
//! a request for clients whose sends `#[traced_client]` cannot see.

use std::borrow::Cow;
use std::sync::Mutex;

use http::{HeaderMap, Method, Uri, Version};
use opentelemetry::trace::{Span as _, SpanKind};
use opentelemetry::{Context, Key, KeyValue};

use super::{
    ForwardedHeaders, HTTP_RESPONSE_STATUS_CODE, NETWORK_PROTOCOL_VERSION, SERVER_ADDRESS,
    SERVER_PORT, URL_SCHEME, protocol_version, push_method, redact_query, span_name,
};
use crate::error_recording::{Failure, record_failure};
use crate::span_access::{context_of, current_context, with_otel_span};
use crate::span_start::SpanStart;

const URL_FULL: Key = Key::from_static_str("url.full");
const URL_TEMPLATE: Key = Key::from_static_str("url.template");
const HTTP_REQUEST_RESEND_COUNT: Key = Key::from_static_str("http.request.resend_count");

/// Puts the current context (the current span, baggage, the forwarded headers of the
/// request being served) on `headers`, with the configured propagators.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// traced::http::inject_headers(&mut headers);
/// ```
pub fn inject_headers(headers: &mut HeaderMap) {
    inject_context(&current_context(), headers);
}

/// Like [`inject_headers`], on an `http::Request`.
pub fn inject_request<B>(request: &mut http::Request<B>) {
    inject_headers(request.headers_mut());
}

/// Puts `cx` on `headers`: trace context and baggage with the configured propagators, and
/// the forwarded headers `cx` carries (without overwriting headers already set).
pub fn inject_context(cx: &Context, headers: &mut HeaderMap) {
    crate::propagation::inject(cx, headers);
    if let Some(forwarded) = ForwardedHeaders::of(cx) {
        forwarded.apply_to(headers);
    }
}

/// `url` as `url.full` wants it: credentials replaced by `REDACTED:REDACTED`, signed-URL
/// query parameters by `REDACTED`.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    if !url.bytes().any(|b| b == b'@' || b == b'?') {
        // Neither credentials nor a query: most URLs.
        return Cow::Borrowed(url);
    }
    let mut out: Cow<'_, str> = Cow::Borrowed(url);
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            out = Cow::Owned(format!(
                "{}://REDACTED:REDACTED@{}",
                &url[..scheme_end],
                &rest[at + 1..]
            ));
        }
    }
    let Some(query_start) = out.find('?') else {
        return out;
    };
    let query_end = out[query_start..]
        .find('#')
        .map_or(out.len(), |i| query_start + i);
    match redact_query(&out[query_start + 1..query_end]) {
        Cow::Borrowed(_) => out,
        Cow::Owned(query) => Cow::Owned(format!(
            "{}?{}{}",
            &out[..query_start],
            query,
            &out[query_end..]
        )),
    }
}

/// What a CLIENT span reads of its request's URL: the URL as written, and its parts when it
/// is one (an already parsed URL hands them over as they are).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The URL.
    pub full: &'a str,
    /// Its scheme.
    pub scheme: Option<&'a str>,
    /// Its host (an IPv6 address may be in brackets).
    pub host: Option<&'a str>,
    /// Its port, when it names one.
    pub port: Option<u16>,
}

impl Target<'_> {
    /// Parses `url` (as `http::Uri`) and calls `f` with what it has.
    fn parsed<R>(url: &str, f: impl FnOnce(&Target<'_>) -> R) -> R {
        let uri = url.parse::<Uri>().ok();
        f(&Target {
            full: url,
            scheme: uri.as_ref().and_then(Uri::scheme_str),
            host: uri.as_ref().and_then(Uri::host),
            port: uri.as_ref().and_then(Uri::port_u16),
        })
    }
}

/// The attributes a CLIENT span of `method target` starts with, and its name.
pub(crate) fn client_attributes(
    method: &Method,
    target: &Target<'_>,
    template: Option<&'static str>,
) -> (Cow<'static, str>, Vec<KeyValue>) {
    let mut attributes = Vec::with_capacity(8);
    let name = push_method(&mut attributes, method);
    attributes.push(KeyValue::new(
        URL_FULL,
        redact_url(target.full).into_owned(),
    ));
    let scheme: Option<Cow<'static, str>> = match target.scheme {
        Some("http") => Some("http".into()),
        Some("https") => Some("https".into()),
        other => other.map(|s| s.to_owned().into()),
    };
    if let Some(host) = target.host {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        attributes.push(KeyValue::new(SERVER_ADDRESS, super::recent::text(host)));
        let port = target.port.or(match scheme.as_deref() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        if let Some(port) = port {
            attributes.push(KeyValue::new(SERVER_PORT, i64::from(port)));
        }
    }
    if let Some(scheme) = scheme {
        attributes.push(KeyValue::new(URL_SCHEME, scheme));
    }
    if let Some(template) = template {
        attributes.push(KeyValue::new(URL_TEMPLATE, template));
    }
    (span_name(name, template), attributes)
}

/// The creation options of a CLIENT span whose request the attribute declares.
/// `presample` is false when the span has an explicit parent: the layer then decides on
/// that parent, once the span is created, not here on the current context.
#[doc(hidden)]
pub fn client_start(
    method: &str,
    url: &str,
    template: Option<&'static str>,
    presample: bool,
) -> SpanStart {
    let decision = presample.then(crate::span_start::decide_here).flatten();
    if crate::span_start::drops(decision) {
        // Dropped: the URL is not parsed, nor are the attributes built.
        return SpanStart::default()
            .kind(SpanKind::Client)
            .decided(decision);
    }
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    let (name, attributes) =
        Target::parsed(url, |target| client_attributes(&method, target, template));
    SpanStart::default()
        .kind(SpanKind::Client)
        .name(name)
        .attribute_vec(attributes)
        .decided(decision)
}

/// The state of one `#[traced_client]` call: its span, and the requests it sent so far.
#[doc(hidden)]
#[derive(Debug)]
pub struct ClientScope {
    span: tracing::Span,
    template: Option<&'static str>,
    state: Mutex<ScopeState>,
}

#[derive(Debug, Default)]
struct ScopeState {
    sends: u32,
    resends: i64,
    /// The previous request: its method and a hash of its URL.
    last: Option<(Method, u64)>,
    failed: bool,
}

impl ClientScope {
    /// The scope of `span`, created before the function's body runs (the current context is
    /// still the caller's).
    pub fn new(span: &tracing::Span, template: Option<&'static str>) -> Self {
        Self {
            span: span.clone(),
            template,
            state: Mutex::new(ScopeState::default()),
        }
    }

    /// The scope of a function that names its request in the attribute (`method`, `url`):
    /// its span already has the attributes.
    pub fn declared(span: &tracing::Span, template: Option<&'static str>) -> Self {
        let scope = Self::new(span, template);
        scope.lock().sends = 1;
        scope
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ScopeState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a request of this call failed (its failure is on its span).
    pub fn failed(&self) -> bool {
        self.lock().failed
    }

    /// Records the function's own failure, unless a request already said why it failed.
    pub fn record_outcome(&self, failure: Option<Failure>) {
        if let Some(failure) = failure
            && !self.failed()
        {
            failure.record(&self.span);
        }
    }

    /// Starts tracing one request: the function's span for the first, a new CLIENT span
    /// for each later one (a resend when it repeats the previous method and URL). Its
    /// context goes on the request's headers with [`SendSpan::inject`].
    pub fn start_send(&self, method: &Method, target: &Target<'_>) -> SendSpan<'_> {
        let url_hash = {
            use std::hash::{Hash as _, Hasher as _};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            target.full.hash(&mut hasher);
            hasher.finish()
        };
        let (first, resends) = {
            let mut state = self.lock();
            let first = state.sends == 0;
            state.sends += 1;
            let same = state
                .last
                .as_ref()
                .is_some_and(|(m, u)| m == method && *u == url_hash);
            state.resends = if same { state.resends + 1 } else { 0 };
            state.last = Some((method.clone(), url_hash));
            (first, state.resends)
        };
        let attributes = || {
            let (name, mut attributes) = client_attributes(method, target, self.template);
            if resends > 0 {
                attributes.push(KeyValue::new(HTTP_REQUEST_RESEND_COUNT, resends));
            }
            (name, attributes)
        };
        if first {
            // An unsampled span is told nothing: the URL is not even read. Its context,
            // for the request's headers, comes with the same look-up.
            let cx = with_otel_span(&self.span, |otel| {
                if otel.span.is_recording() {
                    let (name, attributes) = attributes();
                    otel.span.update_name(name);
                    otel.span.set_attributes(attributes);
                }
                otel.context()
            });
            return SendSpan {
                scope: self,
                span: self.span.clone(),
                cx,
            };
        }
        // Later requests are the first one's siblings: children of the function span's parent.
        let parent = with_otel_span(&self.span, |otel| otel.parent_context())
            .unwrap_or_else(Context::current);
        let (name, attributes) = attributes();
        let span = SpanStart::default()
            .kind(SpanKind::Client)
            .name(name)
            .parent(parent)
            .attribute_vec(attributes)
            .create(|| tracing::info_span!("http.client.request", "otel.kind" = "client"));
        SendSpan {
            scope: self,
            span,
            cx: None,
        }
    }
}

/// The span of one request in flight; it ends (if it is not the function's) when dropped.
#[doc(hidden)]
#[derive(Debug)]
pub struct SendSpan<'a> {
    scope: &'a ClientScope,
    span: tracing::Span,
    /// The span's context, when it was read with the span already.
    cx: Option<Context>,
}

impl SendSpan<'_> {
    /// Puts this request's context on its headers.
    pub fn inject(&self, headers: &mut HeaderMap) {
        match &self.cx {
            Some(cx) => inject_context(cx, headers),
            None => inject_context(&context_of(&self.span), headers),
        }
    }

    /// Records the response: its status code (4xx and 5xx are errors for a client) and
    /// protocol version.
    pub fn response(&self, status: u16, version: Version) {
        with_otel_span(&self.span, |otel| {
            if otel.span.is_recording() {
                otel.span
                    .set_attribute(KeyValue::new(HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
                if let Some(version) = protocol_version(version) {
                    otel.span
                        .set_attribute(KeyValue::new(NETWORK_PROTOCOL_VERSION, version));
                }
            }
        });
        if status >= 400 {
            self.scope.lock().failed = true;
            record_failure(&self.span, status.to_string(), String::new());
        }
    }

    /// Records a request that got no response.
    pub fn failure(
        &self,
        error_type: Cow<'static, str>,
        error: &(dyn std::error::Error + 'static),
    ) {
        self.scope.lock().failed = true;
        Failure::from_error(error_type, error).record(&self.span);
    }
}

#[cfg(feature = "reqwest")]
pub use self::reqwest_sends::{
    ExecuteGuard, ExecuteProbe, NoExecute, NoGuard, NoSend, SendProbe, TracedSend,
};

#[cfg(feature = "reqwest")]
mod reqwest_sends {
    //! The sends of reqwest that `#[traced_client]` sees: `RequestBuilder::send` and
    //! `Client::execute`.

    use std::borrow::Cow;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context as TaskContext, Poll};

    use super::{ClientScope, SendSpan, Target};

    type Sent = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send>>;

    /// The future of a traced reqwest send.
    #[must_use = "futures do nothing unless polled"]
    pub struct TracedSend<'a> {
        inner: Option<Sent>,
        span: Option<SendSpan<'a>>,
    }

    impl std::fmt::Debug for TracedSend<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("TracedSend").finish_non_exhaustive()
        }
    }

    impl Future for TracedSend<'_> {
        type Output = reqwest::Result<reqwest::Response>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
            let Some(inner) = self.inner.as_mut() else {
                panic!("`TracedSend` polled after completion");
            };
            let result = match inner.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            self.inner = None;
            if let Some(span) = self.span.take() {
                match &result {
                    Ok(response) => span.response(response.status().as_u16(), response.version()),
                    Err(error) => span.failure(error_type(error), error),
                }
            }
            Poll::Ready(result)
        }
    }

    /// A low-cardinality `error.type` for a request that got no response.
    fn error_type(error: &reqwest::Error) -> Cow<'static, str> {
        if error.is_timeout() {
            return Cow::Borrowed("timeout");
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                return Cow::Borrowed(match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => "connection_refused",
                    std::io::ErrorKind::ConnectionReset => "connection_reset",
                    std::io::ErrorKind::TimedOut => "timeout",
                    _ => "std::io::Error",
                });
            }
            source = cause.source();
        }
        if error.is_connect() {
            Cow::Borrowed("connect")
        } else {
            Cow::Borrowed("reqwest::Error")
        }
    }

    /// What the span reads of a URL reqwest has already parsed.
    fn target(url: &reqwest::Url) -> Target<'_> {
        Target {
            full: url.as_str(),
            scheme: Some(url.scheme()),
            host: url.host_str(),
            port: url.port(),
        }
    }

    fn send<'a>(
        scope: &'a ClientScope,
        client: reqwest::Client,
        request: reqwest::Request,
    ) -> TracedSend<'a> {
        let mut request = request;
        let span = scope.start_send(request.method(), &target(request.url()));
        span.inject(request.headers_mut());
        TracedSend {
            inner: Some(Box::pin(client.execute(request))),
            span: Some(span),
        }
    }

    /// `.send()` in a `#[traced_client]` body: traced when the receiver is a
    /// `reqwest::RequestBuilder` (this inherent method), called as written otherwise
    /// ([`NoSend`]).
    #[derive(Debug)]
    pub struct SendProbe<T>(pub T);

    impl SendProbe<reqwest::RequestBuilder> {
        /// Sends the request, traced.
        pub fn traced_send<'a, R, F>(self, scope: &'a ClientScope, _untraced: F) -> TracedSend<'a>
        where
            F: FnOnce(reqwest::RequestBuilder) -> R,
        {
            let (client, request) = self.0.build_split();
            match request {
                Ok(request) => send(scope, client, request),
                Err(error) => TracedSend {
                    inner: Some(Box::pin(std::future::ready(Err(error)))),
                    span: None,
                },
            }
        }
    }

    /// The `.send()` of any other type, called as written.
    pub trait NoSend<T> {
        /// Calls `send` as written.
        fn traced_send<R, F: FnOnce(T) -> R>(self, scope: &ClientScope, send: F) -> R;
    }

    impl<T> NoSend<T> for SendProbe<T> {
        fn traced_send<R, F: FnOnce(T) -> R>(self, _scope: &ClientScope, send: F) -> R {
            send(self.0)
        }
    }

    /// `.execute(request)` in a `#[traced_client]` body: traced when `request` is a
    /// `reqwest::Request` (this inherent method), left alone otherwise ([`NoExecute`]).
    #[derive(Debug)]
    pub struct ExecuteProbe<'r, T>(pub &'r mut T);

    impl ExecuteProbe<'_, reqwest::Request> {
        /// Injects the context into the request and starts its span.
        pub fn traced_prepare(self, scope: &ClientScope) -> ExecuteGuard<'_> {
            let span = scope.start_send(self.0.method(), &target(self.0.url()));
            span.inject(self.0.headers_mut());
            ExecuteGuard(span)
        }
    }

    /// Any other argument of an `.execute(..)` call.
    pub trait NoExecute {
        /// Nothing to prepare.
        fn traced_prepare(self, scope: &ClientScope) -> NoGuard;
    }

    impl<T> NoExecute for ExecuteProbe<'_, T> {
        fn traced_prepare(self, _scope: &ClientScope) -> NoGuard {
            NoGuard
        }
    }

    /// The span of a reqwest `Client::execute`.
    #[derive(Debug)]
    pub struct ExecuteGuard<'a>(SendSpan<'a>);

    impl<'a> ExecuteGuard<'a> {
        /// Wraps the send's future so that its span sees the outcome.
        pub fn wrap<F>(self, future: F) -> TracedSend<'a>
        where
            F: Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
        {
            TracedSend {
                inner: Some(Box::pin(future)),
                span: Some(self.0),
            }
        }
    }

    /// Not a reqwest `execute`: the call's value is returned as it is.
    #[derive(Debug)]
    pub struct NoGuard;

    impl NoGuard {
        /// `value`, untouched.
        pub fn wrap<F>(self, value: F) -> F {
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `client_start` under a layer whose sampler `kind` is, as `init!` sets it up.
    fn declared_start(kind: crate::sampling::SamplerKind, presample: bool) -> SpanStart {
        use opentelemetry::trace::TracerProvider as _;
        use tracing_subscriber::layer::SubscriberExt as _;
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_sampler(kind.sdk_sampler())
            .build();
        let layer = crate::TracedLayer::new(provider.tracer("test")).with_sampler(kind);
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            client_start(
                "GET",
                "http://inventory.internal/items/7",
                Some("/items/{id}"),
                presample,
            )
        })
    }

    #[test]
    fn a_declared_request_the_sampler_drops_is_not_read() {
        let start = declared_start(crate::sampling::SamplerKind::AlwaysOff, true);
        assert!(crate::span_start::drops(start.decision));
        assert!(start.name.is_none());
        assert!(start.attributes.is_empty());

        let start = declared_start(crate::sampling::SamplerKind::AlwaysOn, true);
        assert!(!crate::span_start::drops(start.decision));
        assert_eq!(start.name.as_deref(), Some("GET /items/{id}"));
        assert!(!start.attributes.is_empty());
    }

    #[test]
    fn a_declared_request_with_an_explicit_parent_is_left_to_the_layer() {
        // The layer decides once it knows the parent: everything is built.
        let start = declared_start(crate::sampling::SamplerKind::AlwaysOff, false);
        assert!(start.decision.is_none());
        assert_eq!(start.name.as_deref(), Some("GET /items/{id}"));
        assert!(!start.attributes.is_empty());
    }

    #[test]
    fn urls_lose_credentials_and_signatures() {
        assert_eq!(
            redact_url("https://user:pw@example.com:8443/a?sig=1&b=2#frag"),
            "https://REDACTED:REDACTED@example.com:8443/a?sig=REDACTED&b=2#frag"
        );
        assert_eq!(
            redact_url("http://example.com/a@b"),
            "http://example.com/a@b"
        );
        assert_eq!(
            redact_url("http://example.com/?q=1"),
            "http://example.com/?q=1"
        );
        assert_eq!(
            redact_url("not a url ?Signature=x"),
            "not a url ?Signature=REDACTED"
        );
    }

    #[test]
    fn client_attributes_follow_semconv() {
        let (name, attributes) = Target::parsed("http://[::1]:8080/x", |target| {
            client_attributes(&Method::GET, target, Some("/x"))
        });
        assert_eq!(name, "GET /x");
        let get = |key: &str| {
            attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| kv.value.clone())
        };
        assert_eq!(get("server.address"), Some("::1".into()));
        assert_eq!(get("server.port"), Some(opentelemetry::Value::I64(8080)));
        assert_eq!(get("url.template"), Some("/x".into()));
    }
}
