use std::fmt::Debug;

use traced::traced;

#[traced(args)]
fn largest<T: PartialOrd + Copy + Debug>(items: &[T]) -> T {
    let mut largest = items[0];
    for &item in items {
        if item > largest {
            largest = item;
        }
    }
    largest
}

#[traced(fields(len = items.len() as i64))]
fn count<I>(items: Vec<I>) -> usize
where
    I: Clone,
{
    items.iter().cloned().count()
}

#[traced]
fn with_impl_arg(items: impl IntoIterator<Item = u32>) -> u32 {
    items.into_iter().sum()
}

#[traced]
fn with_const<const N: usize>(items: [u8; N]) -> usize {
    items.len() + N
}

#[traced]
async fn async_generic<T: Clone + Send>(item: T) -> (T, T) {
    (item.clone(), item)
}

struct Wrapper<T>(T);

impl<T: Clone + Debug> Wrapper<T> {
    #[traced(ret)]
    fn get(&self) -> T {
        self.0.clone()
    }

    #[traced]
    fn map<U, F: FnOnce(T) -> U>(self, f: F) -> Wrapper<U> {
        Wrapper(f(self.0))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(largest(&[1, 5, 3]), 5);
    assert_eq!(count(vec![1, 2]), 2);
    assert_eq!(with_impl_arg([1, 2, 3]), 6);
    assert_eq!(with_const([1, 2]), 4);
    assert_eq!(async_generic("x").await, ("x", "x"));
    assert_eq!(Wrapper(3).get(), 3);
    assert_eq!(Wrapper(3).map(|x| x * 2).0, 6);
}
