#[traced::traced(kind = remote)]
fn load() {}

fn main() {}
