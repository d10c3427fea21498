//! In-memory snapshots of what many pages show (the front page's lists, the rails, the News
//! Feed column): built once, shared by every request, and rebuilt only when the live event log
//! says something changed ([`LiveBus::changes`](crate::server::live::LiveBus::changes)) or
//! when they reach their maximum age.
//!
//! Every change to published content writes a live event in its own unit of work, and every
//! node's sequencer reads every event, so a snapshot is dropped on every node, not only on the
//! one where the editor pressed Publish. On that node it is dropped before the response that
//! follows the change (the unit's `wake()` after commit), so an editor never sees an old front.
//!
//! A rebuild is single-flight: one request rebuilds while the others wait for its result
//! (they would otherwise all run the same queries at once after every change on a busy day).
//! A snapshot built while a change landed is kept for that request only and rebuilt by the
//! next, since it may predate the change.

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

struct Built<T> {
    /// The change count the build started at.
    at_change: u64,
    built: Instant,
    value: Arc<T>,
}

/// One snapshot of `T`.
pub struct Snapshot<T> {
    current: Mutex<Option<Built<T>>>,
    rebuilding: tokio::sync::Mutex<()>,
    max_age: Duration,
}

impl<T> Snapshot<T> {
    /// An empty snapshot whose value is rebuilt at the latest after `max_age` (for what changes
    /// without an event, like the most-read ranking).
    pub fn new(max_age: Duration) -> Self {
        Snapshot {
            current: Mutex::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
            max_age,
        }
    }

    fn fresh(&self, change: u64) -> Option<Arc<T>> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current
            .as_ref()
            .filter(|b| b.at_change == change && b.built.elapsed() < self.max_age)
            .map(|b| b.value.clone())
    }

    /// The value for the content as of `changes()`, built by `build` when the one held is
    /// stale.
    pub async fn get<E, F, Fut>(&self, changes: impl Fn() -> u64, build: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.fresh(changes()) {
            return Ok(v);
        }
        let _one = self.rebuilding.lock().await;
        // Whoever held the lock before may have just rebuilt it.
        let at_change = changes();
        if let Some(v) = self.fresh(at_change) {
            return Ok(v);
        }
        let value = Arc::new(build().await?);
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(Built {
            at_change,
            built: Instant::now(),
            value: value.clone(),
        });
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[tokio::test]
    async fn a_snapshot_is_rebuilt_only_after_a_change() {
        let changes = AtomicU64::new(0);
        let builds = AtomicU64::new(0);
        let snap: Snapshot<u64> = Snapshot::new(Duration::from_secs(60));
        let get = || async {
            snap.get(
                || changes.load(Ordering::SeqCst),
                || async { Ok::<_, ()>(builds.fetch_add(1, Ordering::SeqCst) + 1) },
            )
            .await
            .unwrap()
        };
        assert_eq!(*get().await, 1);
        assert_eq!(*get().await, 1, "no change, no rebuild");
        changes.fetch_add(1, Ordering::SeqCst);
        assert_eq!(*get().await, 2, "a change drops it");
        assert_eq!(*get().await, 2);
    }

    #[tokio::test]
    async fn a_change_during_a_build_makes_the_next_request_rebuild() {
        let changes = AtomicU64::new(0);
        let snap: Snapshot<&str> = Snapshot::new(Duration::from_secs(60));
        let first = snap
            .get(
                || changes.load(Ordering::SeqCst),
                || async {
                    // An editor publishes while the old content is being read.
                    changes.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>("before the change")
                },
            )
            .await
            .unwrap();
        assert_eq!(*first, "before the change");
        let next = snap
            .get(
                || changes.load(Ordering::SeqCst),
                || async { Ok::<_, ()>("after the change") },
            )
            .await
            .unwrap();
        assert_eq!(*next, "after the change");
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_rebuild() {
        let builds = AtomicU64::new(0);
        let snap: Snapshot<u64> = Snapshot::new(Duration::from_secs(60));
        let get = || {
            snap.get(
                || 7,
                || async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Ok::<_, ()>(builds.fetch_add(1, Ordering::SeqCst))
                },
            )
        };
        let (a, b, c) = tokio::join!(get(), get(), get());
        assert_eq!((*a.unwrap(), *b.unwrap(), *c.unwrap()), (0, 0, 0));
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_build_keeps_nothing() {
        let snap: Snapshot<u64> = Snapshot::new(Duration::from_secs(60));
        assert!(snap.get(|| 0, || async { Err("db down") }).await.is_err());
        assert_eq!(
            *snap.get(|| 0, || async { Ok::<_, ()>(5) }).await.unwrap(),
            5
        );
    }
}
