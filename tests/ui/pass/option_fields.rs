use std::fmt;

use traced::traced;
use traced_tests::{AttrValue, Capture};

#[derive(Debug)]
struct Customer {
    tier: &'static str,
}

impl fmt::Display for Customer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "customer({})", self.tier)
    }
}

const LIMIT: i64 = 10;

#[traced(fields(
    count = items.len() as i64,
    limit = LIMIT,
    ratio = 0.5,
    express = true,
    text = "literal",
    owned = String::from("owned").as_str(),
    customer = %customer,
    customer.debug = ?customer,
    customer.tier = customer.tier,
    "http.route" = "/checkout",
    "with-dash" = 1,
    r#type = "keyword key",
    match = "keyword key, unescaped",
    block = { let n = items.len(); n as i64 * 2 },
    later,
))]
fn every_field_form(items: &[u32], customer: &Customer) -> usize {
    items.len()
}

#[traced(fields())]
fn empty_fields() {}

#[traced(fields(a = 1,))]
fn trailing_comma() {}

#[traced(fields(value = %value, debug = ?value))]
fn generic_fields<T: fmt::Display + fmt::Debug>(value: T) -> T {
    value
}

#[traced(fields(id = id))]
async fn async_fields(id: i64) -> i64 {
    id
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let capture = Capture::new();
    every_field_form(&[1, 2], &Customer { tier: "gold" });
    empty_fields();
    trailing_comma();
    generic_fields(3);
    async_fields(5).await;

    let span = capture.span("every_field_form");
    assert_eq!(span.attr("count"), Some(&AttrValue::I64(2)));
    assert_eq!(span.attr("limit"), Some(&AttrValue::I64(10)));
    assert_eq!(span.attr("express"), Some(&AttrValue::Bool(true)));
    assert_eq!(span.str_attr("owned"), Some("owned"));
    assert_eq!(span.str_attr("customer"), Some("customer(gold)"));
    assert_eq!(
        span.str_attr("customer.debug"),
        Some("Customer { tier: \"gold\" }")
    );
    assert_eq!(span.str_attr("customer.tier"), Some("gold"));
    assert_eq!(span.str_attr("http.route"), Some("/checkout"));
    assert_eq!(span.i64_attr("with-dash"), Some(1));
    assert_eq!(span.str_attr("type"), Some("keyword key"));
    assert_eq!(span.str_attr("match"), Some("keyword key, unescaped"));
    assert_eq!(span.i64_attr("block"), Some(4));
    assert_eq!(span.attr("later"), None);
    assert_eq!(capture.span("async_fields").i64_attr("id"), Some(5));
}
