#[traced::traced_handler(parent = tracing::Span::none())]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
