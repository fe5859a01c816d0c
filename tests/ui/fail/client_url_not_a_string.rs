#[traced::traced_client(method = "GET", url = 42)]
fn call() {}

fn main() {}
