#[traced::traced(fields(order. = 1))]
fn load() {}

fn main() {}
