#[traced::traced(args(user, password), skip(password))]
fn login(user: &str, password: &str) -> bool {
    user == password
}

fn main() {}
