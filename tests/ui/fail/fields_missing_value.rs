#[traced::traced(fields(order_id = ))]
fn load() {}

fn main() {}
