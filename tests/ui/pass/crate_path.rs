use traced::traced;

#[traced(crate = ::traced)]
fn plain() {}

#[traced(crate = "::traced", fields(order_id))]
fn string_path() {
    traced::record!(order_id = 1);
}

#[traced(crate = ::traced, fields(order_id))]
fn record_through_crate_path() {
    ::traced::record!(order_id = 1);
}

#[traced(crate = ::traced, parent = None::<tracing::Id>, follows_from = tracing::Span::none())]
async fn every_path_through_crate(value: u32) -> Result<u32, String> {
    Ok(value)
}

mod nested {
    #[::traced::traced(crate = ::traced, ret, err)]
    pub(crate) fn from_a_module() -> Result<u32, String> {
        Ok(1)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    plain();
    string_path();
    record_through_crate_path();
    assert_eq!(every_path_through_crate(2).await, Ok(2));
    assert_eq!(nested::from_a_module(), Ok(1));
}
