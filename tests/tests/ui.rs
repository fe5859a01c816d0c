//! Compile-time behaviour of the attributes: every supported function shape and option
//! combination compiles and runs (`ui/pass`), and every misuse fails with one clear error
//! that points at the offending tokens (`ui/fail`, one misuse per file).
//!
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p traced-tests --test ui`
//! and read every changed `.stderr` before committing it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
