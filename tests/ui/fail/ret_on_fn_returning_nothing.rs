#[traced::traced(ret)]
fn load() {}

fn main() {}
