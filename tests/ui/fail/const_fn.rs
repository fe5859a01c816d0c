#[traced::traced]
const fn limit() -> u32 {
    10
}

const LIMIT: u32 = limit();

fn main() {}
