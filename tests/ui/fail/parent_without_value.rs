#[traced::traced(parent)]
fn load() {}

fn main() {}
