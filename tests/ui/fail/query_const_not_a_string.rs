const SQL: u32 = 7;

#[traced::traced_query(query = SQL, system = "sqlite")]
async fn ping() {}

fn main() {}
