use opentelemetry::Context;
use traced::traced;
use traced_tests::{Capture, SpanKind};

#[derive(Debug)]
struct Request {
    path: String,
}

/// Every option at once.
#[traced(
    name = "handle request",
    level = "debug",
    target = "my_app::http",
    kind = server,
    fields(http.route = "/orders", path = %request.path, status),
    args,
    skip(token),
    err,
    ret,
    parent = cx,
    follows_from = cx,
    crate = ::traced,
)]
fn everything(cx: &Context, request: &Request, token: &str) -> Result<u16, String> {
    if token.is_empty() {
        traced::record!(status = 401);
        return Err("no token".to_owned());
    }
    traced::record!(status = 200);
    Ok(200)
}

/// The same, as an `async fn`.
#[traced(
    name = "handle request async",
    level = Level::TRACE,
    target = "my_app::http",
    kind = "server",
    fields(http.route = "/orders", status),
    args(request),
    err = false,
    ret(Display),
    parent = cx,
    follows_from = [cx],
    crate = "::traced",
)]
async fn everything_async(cx: &Context, request: &Request) -> Result<u16, String> {
    traced::record!(status = request.path.len() as i64);
    Ok(200)
}

#[traced(kind = producer, args, ret)]
fn kind_args_ret(topic: &str) -> usize {
    topic.len()
}

#[traced(kind = consumer, parent = &cx, ret(Debug), err = false)]
fn kind_parent_ret(cx: Context) -> Option<u32> {
    drop(cx);
    Some(1)
}

#[traced(name = "dynamic fields", fields(len = input.len() as i64), args(input), ret)]
fn fields_args_ret(input: &str) -> usize {
    input.len()
}

#[traced(level = warn, target = "audit", fields(user), err)]
async fn level_target_record(user: &str) -> Result<(), String> {
    traced::record!(user = user);
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let capture = Capture::new();
    let request = Request {
        path: "/orders".to_owned(),
    };
    assert_eq!(everything(&Context::new(), &request, "t"), Ok(200));
    assert_eq!(everything_async(&Context::new(), &request).await, Ok(200));
    assert_eq!(kind_args_ret("orders"), 6);
    assert_eq!(kind_parent_ret(Context::new()), Some(1));
    assert_eq!(fields_args_ret("abc"), 3);
    assert_eq!(level_target_record("ada").await, Ok(()));

    let span = capture.span("handle request");
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(span.i64_attr("status"), Some(200));
    assert_eq!(span.attr("token"), None);
    assert_eq!(span.str_attr("traced.return_value"), Some("200"));
    assert_eq!(
        capture.span("handle request async").i64_attr("status"),
        Some(7)
    );
}
