#[traced::traced(name = "")]
fn load() {}

fn caller() {
    load();
}

fn main() {}
