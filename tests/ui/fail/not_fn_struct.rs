#[traced::traced]
struct Order {
    id: u64,
}

fn order_id(order: &Order) -> u64 {
    order.id
}

fn main() {}
