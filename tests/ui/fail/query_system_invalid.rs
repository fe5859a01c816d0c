#[traced::traced_query("SELECT 1", system = "Postgre SQL")]
async fn ping() {}

fn main() {}
