#[traced::traced_client(kind = server)]
async fn call() {}

fn main() {}
