#[traced::traced(ret(Display))]
fn load() -> Vec<u32> {
    vec![1]
}

fn main() {}
