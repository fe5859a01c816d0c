//! `#[traced_handler]` on axum 0.8 handlers, and [`FallbackSpanLayer`] for the requests no
//! annotated handler serves.
//!
//! On an `async fn` the attribute adds one extractor in front of the handler's own,
//! [`Incoming`], which reads the request (method, matched route, URI, headers, peer address)
//! and extracts the caller's context (unless no subscriber takes spans of any level), and
//! wraps the return value in [`Traced`], whose `IntoResponse` records the response's status
//! on the span and ends it. The router code does not change:
//!
//! ```
//! use axum::{Json, Router, extract::Path, routing::get};
//!
//! #[traced::traced_handler]
//! async fn get_order(Path(id): Path<u64>) -> Json<u64> {
//!     Json(id)
//! }
//!
//! let app: Router = Router::new().route("/api/orders/{id}", get(get_order));
//! ```
//!
//! # Calling a handler from a unit test
//! Pass [`Incoming::default()`] (or [`Incoming::from_request`]) first, and unwrap the
//! result with [`Traced::into_inner`]:
//!
//! ```
//! # use axum::{Json, extract::Path};
//! # #[traced::traced_handler]
//! # async fn get_order(Path(id): Path<u64>) -> Json<u64> { Json(id) }
//! # tokio_test_block_on(async {
//! use traced::http::axum::Incoming;
//!
//! let Json(id) = get_order(Incoming::default(), Path(7)).await.into_inner();
//! assert_eq!(id, 7);
//! # });
//! # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
//! #     let waker = std::task::Waker::noop();
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     while f.as_mut().poll(&mut cx).is_pending() {}
//! # }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::SystemTime;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use super::{IncomingRequest, ServerParts, record_server_status};
use crate::error_recording::Failure;
use crate::span_start::SpanStart;

/// The request as `#[traced_handler]` sees it: the extractor the attribute puts in front of
/// an axum handler's own. `Incoming::default()` stands for a request with nothing in it, for
/// unit tests that call a handler directly.
#[derive(Debug, Clone)]
pub struct Incoming {
    request: IncomingRequest,
    served: Option<Served>,
}

impl Default for Incoming {
    fn default() -> Self {
        Self::from_request(&http::Request::new(()))
    }
}

impl Incoming {
    /// Reads `request` as the extractor would (without a matched route or a peer address).
    pub fn from_request<B>(request: &http::Request<B>) -> Self {
        Self {
            request: IncomingRequest::new(
                super::RequestSource::server_parts(request),
                None,
                None,
                None,
            ),
            served: None,
        }
    }

    /// The request read; left unread (no attributes, no remote parent) when the extractor
    /// ran with no subscriber taking spans of any level.
    pub fn request(&self) -> &IncomingRequest {
        &self.request
    }

    /// Tells [`FallbackSpanLayer`] that an annotated handler served the request, whose span
    /// nobody takes (what the expansion calls instead of [`Incoming::span_start`]).
    #[doc(hidden)]
    pub fn served_without_span(self) {
        self.mark_served();
    }

    fn mark_served(&self) {
        if let Some(served) = &self.served {
            served.0.store(true, Ordering::Relaxed);
        }
    }

    /// The creation options of the handler's span (what the expansion calls).
    #[doc(hidden)]
    pub fn span_start(self, route: Option<&'static str>, name: Option<&'static str>) -> SpanStart {
        self.mark_served();
        let mut request = self.request;
        if let Some(route) = route {
            request.set_route(route);
        }
        request.span_start(name)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Incoming {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        // With no subscriber taking any level, the handler's span is not made: the request
        // is not read (nor its context extracted) for it.
        let request = match tracing::level_enabled!(tracing::Level::ERROR) {
            true => read(parts, None),
            false => IncomingRequest::unread(),
        };
        Ok(Self {
            request,
            served: parts.extensions.get::<Served>().cloned(),
        })
    }
}

fn read(parts: &Parts, start: Option<SystemTime>) -> IncomingRequest {
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let server_parts = ServerParts {
        method: Some(&parts.method),
        uri: Some(&parts.uri),
        version: Some(parts.version),
        headers: &parts.headers,
    };
    let mut request = IncomingRequest::new(server_parts, None, route, peer);
    if let Some(start) = start {
        request.set_start(start);
    }
    request
}

/// What a `#[traced_handler]` axum handler returns: the handler's own value, and the span,
/// which ends when the value has become the response (with `http.response.status_code`
/// and, for 5xx, status Error). Dereferences to the value; [`Traced::into_inner`] takes it.
#[must_use = "a handler's value is meant to become a response"]
#[derive(Debug)]
pub struct Traced<R> {
    value: R,
    span: tracing::Span,
    failure: Option<Failure>,
}

impl<R> Traced<R> {
    #[doc(hidden)]
    pub fn new(value: R, span: tracing::Span, failure: Option<Failure>) -> Self {
        Self {
            value,
            span,
            failure,
        }
    }

    /// The handler's value (for unit tests); the span ends without a status code.
    pub fn into_inner(self) -> R {
        self.value
    }

    /// The handler's span.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }
}

impl<R> Deref for Traced<R> {
    type Target = R;

    fn deref(&self) -> &R {
        &self.value
    }
}

impl<R> DerefMut for Traced<R> {
    fn deref_mut(&mut self) -> &mut R {
        &mut self.value
    }
}

impl<R: IntoResponse> IntoResponse for Traced<R> {
    fn into_response(self) -> Response {
        let Self {
            value,
            span,
            failure,
        } = self;
        let response = span.in_scope(|| value.into_response());
        record_server_status(&span, Some(response.status().as_u16()), failure);
        crate::__private::finish_and_drop(span);
        response
    }
}

/// Set by [`FallbackSpanLayer`] on each request, and by an annotated handler that serves it.
#[derive(Debug, Clone)]
struct Served(Arc<AtomicBool>);

/// A router layer that gives a SERVER span to the requests no `#[traced_handler]` served:
/// those axum rejects before the handler runs (a body that is not the JSON asked for, a
/// missing path parameter), unknown routes (404), wrong methods (405), and routes whose
/// handler is not annotated. Requests an annotated handler served get no second span.
///
/// The span is made when the response is ready, started at the time the request arrived,
/// with the same attributes, parent and status rules as a handler's. It cannot be the parent
/// of anything that ran in between: annotate handlers for that.
///
/// ```
/// use axum::{Router, routing::post};
///
/// #[traced::traced_handler]
/// async fn create(axum::Json(body): axum::Json<u64>) -> String {
///     body.to_string()
/// }
///
/// let app: Router = Router::new()
///     .route("/api/orders", post(create))
///     .layer(traced::http::axum::FallbackSpanLayer::new());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct FallbackSpanLayer {
    _private: (),
}

impl FallbackSpanLayer {
    /// The layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S> tower_layer::Layer<S> for FallbackSpanLayer {
    type Service = FallbackSpan<S>;

    fn layer(&self, inner: S) -> FallbackSpan<S> {
        FallbackSpan { inner }
    }
}

/// The service of [`FallbackSpanLayer`].
#[derive(Debug, Clone)]
pub struct FallbackSpan<S> {
    inner: S,
}

impl<S, B> tower_service::Service<http::Request<B>> for FallbackSpan<S>
where
    S: tower_service::Service<http::Request<B>, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let start = SystemTime::now();
        let (mut parts, body) = request.into_parts();
        let served = Served(Arc::new(AtomicBool::new(false)));
        parts.extensions.insert(served.clone());
        // Only what the span needs, should no handler serve the request.
        let mut seen = http::Request::new(());
        *seen.method_mut() = parts.method.clone();
        *seen.uri_mut() = parts.uri.clone();
        *seen.version_mut() = parts.version;
        *seen.headers_mut() = parts.headers.clone();
        if let Some(route) = parts.extensions.get::<MatchedPath>() {
            seen.extensions_mut().insert(route.clone());
        }
        if let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            seen.extensions_mut().insert(*peer);
        }
        let future = self.inner.call(http::Request::from_parts(parts, body));
        Box::pin(async move {
            let response = future.await?;
            if !served.0.load(Ordering::Relaxed) {
                let (parts, ()) = seen.into_parts();
                let span = read(&parts, Some(start))
                    .span_start(None)
                    .create(|| tracing::info_span!("HTTP request", "otel.kind" = "server"));
                record_server_status(&span, Some(response.status().as_u16()), None);
            }
            Ok(response)
        })
    }
}
