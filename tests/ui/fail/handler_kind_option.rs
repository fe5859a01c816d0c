#[traced::traced_handler(kind = client)]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
