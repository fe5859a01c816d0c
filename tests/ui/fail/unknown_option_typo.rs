#[traced::traced(nmae = "load")]
fn load() {}

fn caller() {
    load();
}

fn main() {}
