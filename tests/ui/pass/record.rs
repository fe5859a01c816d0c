use traced::traced;
use traced_tests::{AttrValue, Capture};

#[derive(Debug)]
struct State {
    step: u32,
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "step {}", self.step)
    }
}

#[traced(fields(order_id, total, state, "http.route", user.tier, r#type))]
fn every_form(id: i64) -> i64 {
    let state = &State { step: 2 };
    traced::record!(order_id = id);
    ::traced::record!(total = %state);
    traced::record!(state = ?state, "http.route" = "/orders");
    traced::record!(user.tier = "gold", r#type = "keyword",);
    id
}

#[traced(fields(order_id))]
fn as_expression(id: i64) -> i64 {
    let () = traced::record!(order_id = id);
    if id > 0 {
        traced::record!(order_id = id + 1)
    } else {
        ()
    };
    id
}

#[traced(fields(order_id))]
fn only_sometimes(id: i64) -> i64 {
    if id == 0 {
        return 0;
    }
    traced::record!(order_id = id);
    id
}

#[traced(fields(step))]
fn in_closures(steps: &[i64]) -> i64 {
    let record = |step: i64| traced::record!(step = step);
    steps.iter().copied().for_each(record);
    steps.iter().for_each(|&step| {
        let nested = || traced::record!(step = step * 10);
        nested();
    });
    steps.len() as i64
}

#[traced(fields(step))]
fn in_nested_block_and_loop(steps: &[i64]) {
    for &step in steps {
        {
            traced::record!(step = step);
        }
    }
}

#[traced(fields(step))]
async fn in_async_fn(steps: &[i64]) -> i64 {
    for &step in steps {
        traced::record!(step = step);
        tokio::task::yield_now().await;
    }
    let later = async { traced::record!(step = 99) };
    later.await;
    let closure = |step: i64| traced::record!(step = step);
    closure(100);
    steps.len() as i64
}

#[traced(fields(outer))]
fn with_nested_traced_fn() -> i64 {
    #[traced(fields(inner))]
    fn helper() {
        traced::record!(inner = 2);
    }
    helper();
    traced::record!(outer = 1);
    1
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let capture = Capture::new();

    every_form(7);
    let span = capture.span("every_form");
    assert_eq!(span.attr("order_id"), Some(&AttrValue::I64(7)));
    assert_eq!(span.str_attr("total"), Some("step 2"));
    assert_eq!(span.str_attr("state"), Some("State { step: 2 }"));
    assert_eq!(span.str_attr("http.route"), Some("/orders"));
    assert_eq!(span.str_attr("user.tier"), Some("gold"));
    assert_eq!(span.str_attr("type"), Some("keyword"));

    as_expression(1);
    assert_eq!(capture.span("as_expression").i64_attr("order_id"), Some(2));

    only_sometimes(0);
    assert_eq!(capture.span("only_sometimes").attr("order_id"), None);

    in_closures(&[1, 2]);
    assert_eq!(capture.span("in_closures").i64_attr("step"), Some(20));

    in_nested_block_and_loop(&[3, 4]);
    assert_eq!(
        capture.span("in_nested_block_and_loop").i64_attr("step"),
        Some(4)
    );

    in_async_fn(&[1]).await;
    assert_eq!(capture.span("in_async_fn").i64_attr("step"), Some(100));

    with_nested_traced_fn();
    assert_eq!(capture.span("helper").i64_attr("inner"), Some(2));
    assert_eq!(
        capture.span("with_nested_traced_fn").i64_attr("outer"),
        Some(1)
    );
}
