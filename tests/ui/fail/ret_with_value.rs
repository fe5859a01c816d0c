#[traced::traced(ret = true)]
fn load() -> u32 {
    1
}

fn main() {}
