//! A fixed bound on the items a bulk command has under way at once (files opened, journaled and
//! handed to the client, records being listed). It keeps the work waiting small; how many calls
//! are in flight is decided by the client's one adaptive limit, which halves on 429 bursts and
//! recovers after successes (`ClientBuilder::max_concurrency`, `Client::concurrency`).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bound.
#[derive(Debug)]
pub struct Slots(Arc<Semaphore>);

/// One item under way; dropping it frees its place.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

impl Slots {
    /// At most `max` items (at least 1) under way at once.
    pub fn new(max: usize) -> Self {
        Slots(Arc::new(Semaphore::new(max.max(1))))
    }

    /// Waits for a place.
    pub async fn acquire(&self) -> Slot {
        // The semaphore is never closed; if it were, the bound would lapse rather than hang.
        Slot(Arc::clone(&self.0).acquire_owned().await.ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_waiter_gets_a_place_when_one_is_freed() {
        let slots = Arc::new(Slots::new(1));
        let first = slots.acquire().await;
        let waiter = tokio::spawn({
            let slots = Arc::clone(&slots);
            async move {
                let _slot = slots.acquire().await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        drop(first);
        let done = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(matches!(done, Ok(Ok(()))));
    }
}
