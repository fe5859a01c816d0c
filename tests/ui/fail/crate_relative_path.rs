#[traced::traced(crate = traced)]
fn load() {}

fn main() {}
