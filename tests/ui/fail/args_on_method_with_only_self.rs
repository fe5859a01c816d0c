struct Store;

impl Store {
    #[traced::traced(args)]
    fn count(&self) -> usize {
        0
    }
}

fn main() {}
