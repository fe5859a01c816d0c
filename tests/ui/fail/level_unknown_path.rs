#[traced::traced(level = Level::CRITICAL)]
fn load() {}

fn main() {}
