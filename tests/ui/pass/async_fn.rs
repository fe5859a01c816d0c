use std::fmt::Display;

use traced::traced;

#[traced]
async fn nothing() {}

#[traced]
async fn add(a: u32, b: u32) -> u32 {
    nothing().await;
    a + b
}

#[traced]
async fn borrowed<'a>(items: &'a [u32], name: &str) -> &'a u32 {
    let _ = name.len();
    &items[0]
}

#[traced]
async fn opaque() -> impl Display {
    "opaque"
}

#[traced]
async fn fallible(fail: bool) -> Result<u32, std::io::Error> {
    if fail {
        return Err(std::io::Error::other("boom"));
    }
    let parsed: u32 = "7".parse().map_err(std::io::Error::other)?;
    Ok(parsed)
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(assert_send(add(1, 2)).await, 3);
    assert_eq!(*borrowed(&[7], "x").await, 7);
    assert_eq!(opaque().await.to_string(), "opaque");
    assert_eq!(fallible(false).await.unwrap(), 7);
    assert!(fallible(true).await.is_err());
}
