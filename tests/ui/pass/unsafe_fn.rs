#![deny(unsafe_op_in_unsafe_fn)]

use traced::traced;

/// # Safety
/// `ptr` must be valid for reads.
#[traced]
unsafe fn read(ptr: *const u32) -> u32 {
    // SAFETY: the caller promises `ptr` is valid.
    unsafe { *ptr }
}

/// # Safety
/// `ptr` must be valid for reads.
#[traced(fields(addr = ptr as usize as i64))]
async unsafe fn read_later(ptr: *const u32) -> u32 {
    // SAFETY: the caller promises `ptr` is valid.
    unsafe { *ptr }
}

struct Raw(*const u32);

impl Raw {
    /// # Safety
    /// The pointer must be valid for reads.
    #[traced]
    unsafe fn get(&self) -> u32 {
        // SAFETY: the caller promises the pointer is valid.
        unsafe { *self.0 }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let value = 7;
    // SAFETY: `value` lives for the whole of `main`.
    unsafe {
        assert_eq!(read(&value), 7);
        assert_eq!(read_later(&value).await, 7);
        assert_eq!(Raw(&value).get(), 7);
    }
}
