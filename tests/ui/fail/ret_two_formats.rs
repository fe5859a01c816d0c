#[traced::traced(ret(Debug, Display))]
fn load() -> u32 {
    1
}

fn main() {}
