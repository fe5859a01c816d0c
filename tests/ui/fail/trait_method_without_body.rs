trait Repository {
    #[traced::traced]
    fn load(&self, id: u64) -> u64;
}

struct Memory;

impl Repository for Memory {
    fn load(&self, id: u64) -> u64 {
        id
    }
}

fn main() {}
