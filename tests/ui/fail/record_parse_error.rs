#[traced::traced(fields(order_id))]
fn load() -> u64 {
    traced::record!(= 1);
    1
}

fn main() {}
