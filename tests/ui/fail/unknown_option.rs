#[traced::traced(sampled = true)]
fn load() {}

fn main() {}
