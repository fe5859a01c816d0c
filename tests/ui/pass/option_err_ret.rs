use std::fmt;

use traced::traced;
use traced_tests::{Capture, SpanStatus};

#[derive(Debug)]
struct NotFound;

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not found")
    }
}

impl std::error::Error for NotFound {}

/// An error type that cannot be printed at all.
struct Opaque;

#[traced(err)]
fn err_word(fail: bool) -> Result<u32, NotFound> {
    if fail { Err(NotFound) } else { Ok(1) }
}

#[traced(err = true)]
fn err_true(fail: bool) -> Result<u32, NotFound> {
    if fail { Err(NotFound) } else { Ok(1) }
}

#[traced(err = false)]
fn err_false(fail: bool) -> Result<u32, NotFound> {
    if fail { Err(NotFound) } else { Ok(1) }
}

#[traced(err = false)]
fn err_false_unit() {}

#[traced(err)]
fn err_on_non_result() -> u32 {
    1
}

#[traced]
fn opaque_error() -> Result<u32, Opaque> {
    Err(Opaque)
}

#[traced(ret)]
fn ret_word() -> u32 {
    1
}

#[traced(ret(Debug))]
fn ret_debug() -> Vec<u32> {
    vec![1, 2]
}

#[traced(ret(Display))]
fn ret_display() -> String {
    "shown".to_owned()
}

#[traced(ret)]
fn ret_result(fail: bool) -> Result<u32, NotFound> {
    if fail { Err(NotFound) } else { Ok(1) }
}

#[traced(ret(Display))]
fn ret_display_result() -> Result<String, Opaque> {
    Ok("shown".to_owned())
}

#[traced(ret, err = false)]
fn ret_without_err(fail: bool) -> Result<u32, NotFound> {
    if fail { Err(NotFound) } else { Ok(1) }
}

#[traced(ret, err)]
async fn async_ret_err(fail: bool) -> Result<u32, NotFound> {
    if fail { Err(NotFound) } else { Ok(1) }
}

#[traced(ret(Debug))]
fn ret_unsized_ref() -> &'static str {
    "static"
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let capture = Capture::new();
    let _ = err_word(true);
    let _ = err_true(true);
    let _ = err_false(true);
    err_false_unit();
    err_on_non_result();
    let _ = opaque_error();
    ret_word();
    ret_debug();
    ret_display();
    let _ = ret_result(false);
    let _ = ret_display_result();
    let _ = ret_without_err(true);
    let _ = async_ret_err(true).await;
    ret_unsized_ref();

    assert!(matches!(
        capture.span("err_word").status,
        SpanStatus::Error { .. }
    ));
    assert!(matches!(
        capture.span("err_true").status,
        SpanStatus::Error { .. }
    ));
    assert_eq!(capture.span("err_false").status, SpanStatus::Unset);
    assert!(matches!(
        capture.span("opaque_error").status,
        SpanStatus::Error { .. }
    ));
    assert!(matches!(
        capture.span("async_ret_err").status,
        SpanStatus::Error { .. }
    ));
    assert_eq!(capture.span("ret_without_err").status, SpanStatus::Unset);
    let ret = |name: &str| {
        capture
            .span(name)
            .str_attr("traced.return_value")
            .map(str::to_owned)
    };
    assert_eq!(ret("ret_word").as_deref(), Some("1"));
    assert_eq!(ret("ret_debug").as_deref(), Some("[1, 2]"));
    assert_eq!(ret("ret_display").as_deref(), Some("shown"));
    assert_eq!(ret("ret_result").as_deref(), Some("1"));
    assert_eq!(ret("ret_display_result").as_deref(), Some("shown"));
    assert_eq!(ret("ret_unsized_ref").as_deref(), Some("\"static\""));
}
