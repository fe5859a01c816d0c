#[traced::traced(fields(order_id))]
fn load() -> u64 {
    let total = 1;
    traced::record!(total = total);
    total
}

fn main() {}
