#[traced::traced(fields(otel.status_code = "ERROR"))]
fn load() {}

fn main() {}
