#[traced::traced(args(usr))]
fn login(user: &str, password: &str) -> bool {
    user == password
}

fn main() {}
