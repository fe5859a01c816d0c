#[traced::traced(target = my_app)]
fn load() {}

fn main() {}
