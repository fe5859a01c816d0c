#[traced::traced(name = 5)]
fn load() {}

fn main() {}
