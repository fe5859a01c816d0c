#[traced::traced_client(template = "api/{id}")]
async fn call() {}

fn main() {}
