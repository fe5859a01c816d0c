#[traced::traced(kind = 1)]
fn load() {}

fn main() {}
