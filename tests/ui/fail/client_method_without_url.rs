#[traced::traced_client(method = "GET")]
fn call() {}

fn main() {}
