struct Order;

#[traced::traced]
impl Order {
    fn load(&self) {}
}

fn load() {
    Order.load();
}

fn main() {}
