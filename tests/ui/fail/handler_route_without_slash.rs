#[traced::traced_handler(route = "users/{id}")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
