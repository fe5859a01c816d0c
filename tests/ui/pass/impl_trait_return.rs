use std::fmt::Display;
use std::future::Future;

use traced::traced;

#[traced]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[traced(ret(Display))]
fn shown() -> impl Display {
    42
}

#[traced]
fn boxed(limit: u32) -> Box<dyn Iterator<Item = u32>> {
    Box::new(0..limit)
}

#[traced]
fn later(value: u32) -> impl Future<Output = u32> {
    async move { value + 1 }
}

#[traced]
fn fallible(fail: bool) -> Result<impl Display, String> {
    if fail { Err("boom".to_owned()) } else { Ok(1) }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(shown().to_string(), "42");
    assert_eq!(boxed(3).count(), 3);
    assert_eq!(later(1).await, 2);
    assert_eq!(fallible(false).unwrap().to_string(), "1");
    assert!(fallible(true).is_err());
}
