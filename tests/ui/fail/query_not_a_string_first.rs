#[traced::traced_query(42, system = "sqlite")]
async fn ping() {}

fn main() {}
