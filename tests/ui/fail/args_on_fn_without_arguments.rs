#[traced::traced(args)]
fn load() -> u64 {
    1
}

fn main() {}
