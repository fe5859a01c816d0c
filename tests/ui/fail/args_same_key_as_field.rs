#[traced::traced(args(user), fields(user = "admin"))]
fn login(user: &str) -> bool {
    user.is_empty()
}

fn main() {}
