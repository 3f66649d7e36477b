//! Image decoding within a memory budget: each decode first takes its estimated memory (8 bytes
//! a pixel: the decoded pixels, the oriented copy, the encoder's buffers) from a process-wide
//! budget of `uploads.image_decode_budget_mb`. A decode that cannot get its share within
//! `uploads.image_decode_wait_ms` is refused as busy (503 with Retry-After), so parallel
//! uploads of large photos cannot take the server's memory.

use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

const BYTES_PER_PIXEL: u64 = 8;
const MIB: u64 = 1024 * 1024;

pub struct ImagePool {
    budget: Semaphore,
    budget_mib: u32,
    wait: Duration,
}

/// The pool had no room within the wait.
#[derive(Debug)]
pub struct Busy;

impl ImagePool {
    pub fn new(budget_mb: u64, wait_ms: u64) -> ImagePool {
        let budget_mib = budget_mb.clamp(1, u64::from(u32::MAX >> 4)) as u32;
        ImagePool {
            budget: Semaphore::new(budget_mib as usize),
            budget_mib,
            wait: Duration::from_millis(wait_ms),
        }
    }

    /// The memory a decode of this many pixels needs, in MiB (at least 1, at most the budget:
    /// an image larger than the whole budget runs alone).
    pub fn cost_mib(&self, pixels: u64) -> u32 {
        let mib = (pixels * BYTES_PER_PIXEL).div_ceil(MIB).max(1);
        mib.min(u64::from(self.budget_mib)) as u32
    }

    /// Takes the memory for decoding `pixels`, waiting at most the configured time.
    pub async fn reserve(&self, pixels: u64) -> Result<SemaphorePermit<'_>, Busy> {
        let cost = self.cost_mib(pixels);
        match tokio::time::timeout(self.wait, self.budget.acquire_many(cost)).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn decodes_beyond_the_budget_wait_then_are_busy() {
        let pool = ImagePool::new(300, 50);
        assert_eq!(pool.cost_mib(1), 1);
        assert_eq!(pool.cost_mib(6300 * 6300), 300, "capped at the whole budget");
        let first = pool.reserve(4000 * 4000).await.unwrap();
        assert_eq!(pool.cost_mib(4000 * 4000), 123);
        let second = pool.reserve(4000 * 4000).await.unwrap();
        assert!(pool.reserve(4000 * 4000).await.is_err(), "a third does not fit");
        drop(first);
        assert!(pool.reserve(4000 * 4000).await.is_ok(), "room again once one is done");
        drop(second);
    }
}
