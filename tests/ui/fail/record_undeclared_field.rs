#[traced::traced(fields(order_id))]
fn load() -> u64 {
    let id = 1;
    traced::record!(order_ld = id);
    id
}

fn main() {}
