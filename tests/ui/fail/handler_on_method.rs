struct Service;

impl Service {
    #[traced::traced_handler]
    async fn handler(&self) -> &'static str {
        "ok"
    }
}

fn main() {}
