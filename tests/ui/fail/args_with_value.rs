#[traced::traced(args = true)]
fn load(id: u64) -> u64 {
    id
}

fn main() {}
