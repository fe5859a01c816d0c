const SQL: &str = "SELECT 1";

#[traced::traced_query("SELECT 1", query = SQL, system = "sqlite")]
async fn ping() {}

fn main() {}
