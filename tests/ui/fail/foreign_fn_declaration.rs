unsafe extern "C" {
    #[traced::traced]
    fn abs(input: i32) -> i32;
}

fn absolute(input: i32) -> i32 {
    // SAFETY: `abs` is the C standard library's.
    unsafe { abs(input) }
}

fn main() {}
