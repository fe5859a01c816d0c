#[traced::traced(parent = cx)]
fn handle(cx: opentelemetry::Context) {
    drop(cx);
}

fn main() {}
