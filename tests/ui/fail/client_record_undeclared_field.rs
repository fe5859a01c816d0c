#[traced::traced_client(fields(product_id))]
async fn call() {
    traced::record!(prodcut_id = 1);
}

fn main() {}
