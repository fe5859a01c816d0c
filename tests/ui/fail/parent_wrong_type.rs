#[traced::traced(parent = trace_id)]
fn load(trace_id: u32) -> u32 {
    trace_id
}

fn main() {}
