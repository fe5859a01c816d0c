#[traced::traced(name = "first", name = "second")]
fn load() {}

fn main() {}
