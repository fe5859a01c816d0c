#[traced::traced(fields(order_id))]
fn load() -> u64 {
    fn helper() {
        traced::record!(order_id = 1);
    }
    helper();
    1
}

fn main() {}
