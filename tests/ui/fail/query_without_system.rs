#[traced::traced_query("SELECT 1")]
async fn ping(url: &str) -> Result<(), String> {
    let _ = url;
    Ok(())
}

fn main() {}
