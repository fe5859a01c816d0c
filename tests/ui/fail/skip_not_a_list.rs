#[traced::traced(args, skip = password)]
fn login(user: &str, password: &str) -> bool {
    user == password
}

fn main() {}
