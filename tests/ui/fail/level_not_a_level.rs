#[traced::traced(level = 3)]
fn load() {}

fn main() {}
