#[traced::traced]
trait Repository {
    fn load(&self);
}

fn load(repository: &dyn Repository) {
    repository.load();
}

fn main() {}
