use traced::traced;

#[derive(Debug, Clone)]
struct Counter {
    count: u32,
}

impl Counter {
    #[traced]
    fn new() -> Self {
        Self { count: 0 }
    }

    #[traced]
    fn get(&self) -> u32 {
        self.count
    }

    #[traced(args(by))]
    fn increment(&mut self, by: u32) {
        self.count += by;
    }

    #[traced(fields(count = self.count))]
    fn into_count(self) -> u32 {
        self.count
    }

    #[traced(fields(count = self.count))]
    fn boxed(self: Box<Self>) -> u32 {
        self.count
    }

    #[traced(args(self))]
    fn recorded_self(&self) -> u32 {
        self.count
    }

    #[traced]
    async fn async_get(&self) -> u32 {
        self.count
    }

    #[traced]
    async fn async_increment(&mut self) {
        self.count += 1;
    }

    #[traced]
    async fn async_into_count(self) -> u32 {
        self.count
    }
}

trait Named {
    fn name(&self) -> String;
}

impl Named for Counter {
    #[traced]
    fn name(&self) -> String {
        format!("counter {}", self.count)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut counter = Counter::new();
    counter.increment(2);
    assert_eq!(counter.get(), 2);
    assert_eq!(counter.recorded_self(), 2);
    assert_eq!(counter.name(), "counter 2");
    counter.async_increment().await;
    assert_eq!(counter.async_get().await, 3);
    assert_eq!(Box::new(counter.clone()).boxed(), 3);
    assert_eq!(counter.clone().async_into_count().await, 3);
    assert_eq!(counter.into_count(), 3);
}
