#[traced::traced]
extern "C" fn callback(code: i32) -> i32 {
    code
}

fn register() -> extern "C" fn(i32) -> i32 {
    callback
}

fn main() {}
