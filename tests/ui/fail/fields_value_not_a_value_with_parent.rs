#[derive(Debug)]
struct Order {
    id: u64,
}

#[traced::traced(parent = None::<tracing::Id>, fields(order = order))]
fn load(order: &Order) -> u64 {
    order.id
}

fn main() {}
