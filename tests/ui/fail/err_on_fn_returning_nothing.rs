#[traced::traced(err)]
fn load() {}

fn main() {}
