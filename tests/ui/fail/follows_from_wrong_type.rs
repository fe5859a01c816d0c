#[traced::traced(follows_from = batch_id)]
fn process(batch_id: u32) -> u32 {
    batch_id
}

fn main() {}
