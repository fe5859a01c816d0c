#[traced::traced_query("  ", system = "sqlite")]
async fn ping() {}

fn main() {}
