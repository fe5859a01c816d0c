#[traced::traced_handler(headers = 42)]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
