#[traced::traced(crate = ::tracing)]
fn load() {}

fn main() {}
