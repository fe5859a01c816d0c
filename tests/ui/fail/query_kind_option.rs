#[traced::traced_query("SELECT 1", kind = client, system = "sqlite")]
async fn ping() {}

fn main() {}
