use traced::traced;

#[traced]
fn nothing() {}

#[traced]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

/// Doc comments and other attributes stay on the function.
#[traced]
#[inline]
#[must_use]
pub(crate) fn documented(a: u32) -> u32 {
    a
}

#[traced]
fn borrowed<'a>(items: &'a [u32], _unused: &str) -> &'a u32 {
    &items[0]
}

#[traced]
fn destructured((a, b): (u32, u32), [c, ..]: [u32; 2]) -> u32 {
    a + b + c
}

#[traced]
fn diverges_in_unit_fn(fail: bool) {
    if fail {
        panic!("boom");
    }
}

#[traced]
fn r#match(r#in: u32) -> u32 {
    r#in
}

fn main() {
    nothing();
    assert_eq!(add(1, 2), 3);
    assert_eq!(documented(4), 4);
    assert_eq!(*borrowed(&[7, 8], "x"), 7);
    assert_eq!(destructured((1, 2), [3, 4]), 6);
    diverges_in_unit_fn(false);
    assert_eq!(r#match(5), 5);
}
