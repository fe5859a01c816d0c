struct Order {
    id: u64,
}

#[traced::traced(ret)]
fn load() -> Order {
    Order { id: 1 }
}

fn load_id() -> u64 {
    load().id
}

fn main() {}
