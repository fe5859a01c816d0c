#[traced::traced(fields(otel.kind = "server"))]
fn load() {}

fn main() {}
