use traced::traced;
use traced_tests::{Capture, SpanKind};

#[traced(name = "load order")]
fn named() {}

#[traced(level = "debug")]
fn level_string() {}

#[traced(level = trace)]
fn level_ident() {}

#[traced(level = Level::WARN)]
fn level_path() {}

#[traced(level = tracing::Level::ERROR)]
fn level_full_path() {}

#[traced(level = "INFO")]
fn level_uppercase_string() {}

#[traced(level = Warn)]
fn level_mixed_case() {}

#[traced(target = "my_app::orders")]
fn targeted() {}

#[traced(kind = internal)]
fn kind_internal() {}

#[traced(kind = server)]
fn kind_server() {}

#[traced(kind = client)]
fn kind_client() {}

#[traced(kind = producer)]
fn kind_producer() {}

#[traced(kind = consumer)]
fn kind_consumer() {}

#[traced(kind = "server")]
fn kind_string() {}

#[traced(kind = Client)]
fn kind_capitalised() {}

#[traced(name = "everything", level = debug, target = "my_app", kind = consumer)]
fn all_four() {}

fn main() {
    let capture = Capture::new();
    named();
    level_string();
    level_ident();
    level_path();
    level_full_path();
    level_uppercase_string();
    level_mixed_case();
    targeted();
    kind_internal();
    kind_server();
    kind_client();
    kind_producer();
    kind_consumer();
    kind_string();
    kind_capitalised();
    all_four();

    assert_eq!(capture.span("load order").name, "load order");
    assert_eq!(capture.span("kind_internal").kind, SpanKind::Internal);
    assert_eq!(capture.span("kind_server").kind, SpanKind::Server);
    assert_eq!(capture.span("kind_client").kind, SpanKind::Client);
    assert_eq!(capture.span("kind_producer").kind, SpanKind::Producer);
    assert_eq!(capture.span("kind_consumer").kind, SpanKind::Consumer);
    assert_eq!(capture.span("kind_string").kind, SpanKind::Server);
    assert_eq!(capture.span("kind_capitalised").kind, SpanKind::Client);
    assert_eq!(capture.span("everything").kind, SpanKind::Consumer);
}
