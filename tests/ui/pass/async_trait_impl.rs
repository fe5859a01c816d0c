use traced::traced;

#[async_trait::async_trait]
trait Repository {
    async fn load(&self, id: u64) -> Result<String, String>;

    async fn count(&self) -> usize;

    async fn touch(&mut self);
}

struct Memory {
    touched: u32,
}

#[async_trait::async_trait]
impl Repository for Memory {
    #[traced(kind = client, fields(id = id as i64, found), ret)]
    async fn load(&self, id: u64) -> Result<String, String> {
        if id == 0 {
            traced::record!(found = false);
            return Err("no order 0".to_owned());
        }
        traced::record!(found = true);
        Ok(format!("order {id}"))
    }

    #[traced]
    async fn count(&self) -> usize {
        self.touched as usize
    }

    #[traced]
    async fn touch(&mut self) {
        self.touched += 1;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut memory = Memory { touched: 0 };
    memory.touch().await;
    assert_eq!(memory.count().await, 1);
    assert_eq!(memory.load(1).await.unwrap(), "order 1");
    assert!(memory.load(0).await.is_err());
    let shared: &dyn Repository = &memory;
    assert_eq!(shared.count().await, 1);
}
