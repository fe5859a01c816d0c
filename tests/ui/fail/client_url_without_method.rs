#[traced::traced_client(url = "http://127.0.0.1/x")]
fn call() {}

fn main() {}
