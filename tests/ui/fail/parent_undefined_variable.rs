#[traced::traced(parent = cx)]
fn load(id: u32) -> u32 {
    id
}

fn main() {}
