#[traced::traced_handler]
fn handler(http::request::Parts { method, .. }: http::request::Parts) -> String {
    method.to_string()
}

fn main() {}
