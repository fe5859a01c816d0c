#[traced::traced]
const LIMIT: u32 = 10;

fn limit() -> u32 {
    LIMIT
}

fn main() {}
