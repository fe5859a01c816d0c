#[traced::traced(fields("otel.name" = "load order"))]
fn load() {}

fn main() {}
