//! Real HTTP servers on 127.0.0.1 for tests.

use std::net::SocketAddr;

/// Serves `app` on a free loopback port (with the peer address available to handlers) in
/// the current tokio runtime, and returns the address.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("test server");
    });
    addr
}
