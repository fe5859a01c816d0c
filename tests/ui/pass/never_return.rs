//! A function that never returns (`-> !`) can be traced.

#[traced::traced]
fn serve_forever(limit: u32) -> ! {
    let mut n = 0;
    loop {
        n += 1;
        if n > limit {
            std::process::exit(0);
        }
    }
}

fn main() {
    let _ = serve_forever as fn(u32) -> !;
}
