#[traced::traced_handler(method = "GE T")]
fn handler(headers: &http::HeaderMap) {
    let _ = headers;
}

fn main() {}
