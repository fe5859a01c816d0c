use traced::traced;
use traced_tests::Capture;

#[traced(args)]
fn all(user: &str, attempts: u32) -> bool {
    !user.is_empty() && attempts > 0
}

#[traced(args(user))]
fn only(user: &str, password: &str) -> bool {
    user != password
}

#[traced(args, skip(password))]
fn all_but(user: &str, password: &str) -> bool {
    user != password
}

#[traced(args, skip(password, token))]
fn all_but_two(user: &str, password: &str, token: &str) -> bool {
    user != password && password != token
}

#[traced(args(), skip())]
fn empty_lists(user: &str) -> bool {
    user.is_empty()
}

#[traced(args, skip(r#type))]
fn raw_identifiers(r#type: &str, r#in: u32) -> bool {
    r#type.len() as u32 == r#in
}

#[traced(args, fields(tier = "gold"))]
fn with_fields(user: &str) -> bool {
    user.is_empty()
}

#[traced(args)]
fn destructured((a, b): (u32, u32), named: u32) -> u32 {
    a + b + named
}

#[traced(args(user))]
async fn async_args(user: String) -> usize {
    user.len()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let capture = Capture::new();
    all("ada", 1);
    only("ada", "secret");
    all_but("ada", "secret");
    all_but_two("ada", "secret", "token");
    empty_lists("ada");
    raw_identifiers("ab", 2);
    with_fields("ada");
    destructured((1, 2), 3);
    async_args("ada".to_owned()).await;

    assert_eq!(capture.span("all").str_attr("user"), Some("\"ada\""));
    assert_eq!(capture.span("all").str_attr("attempts"), Some("1"));
    assert_eq!(capture.span("only").attr("password"), None);
    assert_eq!(capture.span("all_but").attr("password"), None);
    assert_eq!(capture.span("all_but").str_attr("user"), Some("\"ada\""));
    assert_eq!(capture.span("all_but_two").attr("token"), None);
    assert_eq!(capture.span("empty_lists").attr("user"), None);
    assert_eq!(capture.span("with_fields").str_attr("tier"), Some("gold"));
    assert_eq!(capture.span("destructured").str_attr("named"), Some("3"));
    assert_eq!(capture.span("async_args").str_attr("user"), Some("\"ada\""));
}
