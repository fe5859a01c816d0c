#[derive(Debug)]
struct Order {
    id: u64,
}

#[traced::traced(fields(order = %order))]
fn load(order: &Order) -> u64 {
    order.id
}

fn main() {}
