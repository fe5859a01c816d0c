#[traced::traced(crate = 1)]
fn load() {}

fn main() {}
