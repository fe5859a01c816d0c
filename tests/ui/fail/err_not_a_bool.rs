#[traced::traced(err = "yes")]
fn load() -> Result<(), String> {
    Ok(())
}

fn main() {}
