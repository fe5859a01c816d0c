#[traced::traced(fields(calls))]
fn counter() -> impl Fn(i64) {
    move |n| traced::record!(calls = n)
}

fn main() {}
