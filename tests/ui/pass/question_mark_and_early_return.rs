use std::error::Error;
use std::num::ParseIntError;

use traced::traced;

#[derive(Debug)]
struct AppError(String);

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for AppError {}

impl From<ParseIntError> for AppError {
    fn from(error: ParseIntError) -> Self {
        AppError(error.to_string())
    }
}

/// `?` converts errors with `From` as it does without the attribute.
#[traced]
fn parse(input: &str) -> Result<u32, AppError> {
    if input.is_empty() {
        return Err(AppError("empty".to_owned()));
    }
    let value: u32 = input.parse()?;
    if value == 0 {
        return Ok(0);
    }
    Ok(value * 2)
}

#[traced]
fn boxed(input: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    let value: u32 = input.parse()?;
    let value = parse(&value.to_string())?;
    Ok(value)
}

#[traced]
fn option(input: Option<u32>) -> Option<u32> {
    let value = input?;
    if value > 10 {
        return None;
    }
    Some(value + 1)
}

#[traced]
fn early_unit(flag: bool, out: &mut u32) {
    if flag {
        return;
    }
    *out += 1;
}

#[traced]
fn loop_with_labels(limit: u32) -> u32 {
    let mut n = 0;
    'outer: loop {
        for _ in 0..limit {
            n += 1;
            if n > 5 {
                break 'outer n;
            }
        }
        return n;
    }
}

#[traced]
async fn async_parse(input: &str) -> Result<u32, AppError> {
    if input.is_empty() {
        return Err(AppError("empty".to_owned()));
    }
    Ok(input.parse::<u32>()?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(parse("2").unwrap(), 4);
    assert_eq!(parse("0").unwrap(), 0);
    assert!(parse("").is_err());
    assert!(parse("x").is_err());
    assert_eq!(boxed("3").unwrap(), 6);
    assert!(boxed("x").is_err());
    assert_eq!(option(Some(1)), Some(2));
    assert_eq!(option(Some(11)), None);
    assert_eq!(option(None), None);
    let mut out = 0;
    early_unit(true, &mut out);
    early_unit(false, &mut out);
    assert_eq!(out, 1);
    assert_eq!(loop_with_labels(2), 2);
    assert_eq!(loop_with_labels(10), 6);
    assert_eq!(async_parse("4").await.unwrap(), 4);
    assert!(async_parse("").await.is_err());
}
