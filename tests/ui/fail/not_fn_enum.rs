#[traced::traced]
enum State {
    Open,
}

fn open() -> State {
    State::Open
}

fn main() {}
