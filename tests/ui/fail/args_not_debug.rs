struct Password(String);

#[traced::traced(args)]
fn login(password: Password) -> bool {
    password.0.is_empty()
}

fn main() {}
