#[traced::traced_handler]
fn handler() -> u16 {
    200
}

fn main() {}
