#[traced::traced(ret(Pretty))]
fn load() -> u32 {
    1
}

fn main() {}
