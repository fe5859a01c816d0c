#[traced::traced(fields(order.id = 1, order.id = 2))]
fn load() {}

fn main() {}
