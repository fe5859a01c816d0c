#[traced::traced]
mod orders {
    pub(crate) fn load() {}
}

fn load() {
    orders::load();
}

fn main() {}
