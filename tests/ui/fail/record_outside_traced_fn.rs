fn load() -> u64 {
    traced::record!(order_id = 1);
    1
}

fn main() {}
