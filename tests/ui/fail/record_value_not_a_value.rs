#[derive(Debug)]
struct Order {
    id: u64,
}

#[traced::traced(fields(order))]
fn load(order: &Order) -> u64 {
    traced::record!(order = order);
    order.id
}

fn main() {}
