#[traced::traced_handler(method = "GET")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
