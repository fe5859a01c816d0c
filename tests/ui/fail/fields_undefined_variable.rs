#[traced::traced(fields(order_id = order))]
fn load(id: u64) -> u64 {
    id
}

fn main() {}
