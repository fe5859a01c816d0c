use traced::traced;

trait Repository {
    async fn load(&self, id: u64) -> Result<String, String>;

    async fn load_default(&self) -> Result<String, String>;

    /// A default method with a body can be traced in the trait itself.
    #[traced(fields(id = id as i64))]
    async fn load_twice(&self, id: u64) -> Result<(String, String), String> {
        Ok((self.load(id).await?, self.load(id).await?))
    }

    #[traced]
    fn describe(&self) -> &'static str {
        "repository"
    }
}

struct Memory;

impl Repository for Memory {
    #[traced(kind = client, fields(id = id as i64))]
    async fn load(&self, id: u64) -> Result<String, String> {
        if id == 0 {
            return Err("no order 0".to_owned());
        }
        Ok(format!("order {id}"))
    }

    #[traced(fields(found))]
    async fn load_default(&self) -> Result<String, String> {
        let order = self.load(1).await?;
        traced::record!(found = true);
        Ok(order)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(Memory.load(1).await.unwrap(), "order 1");
    assert!(Memory.load(0).await.is_err());
    assert_eq!(Memory.load_default().await.unwrap(), "order 1");
    assert!(Memory.load_twice(0).await.is_err());
    assert_eq!(Memory.describe(), "repository");
}
