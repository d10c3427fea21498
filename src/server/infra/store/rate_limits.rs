//! Fixed-window counters behind every rate limit (keys are hashed by the caller).

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Fixed-window counters behind every rate limit.
#[async_trait]
pub trait RateLimitStore: Send + Sync + 'static {
    /// Counts one hit in a fixed window; returns the hits so far in that window.
    async fn hit_rate_limit(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<u32>;
    /// Hits so far in a window, without counting one.
    async fn rate_limit_hits(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<u32>;
    /// Forgets a key's counters (after a successful sign-in, say).
    async fn clear_rate_limit(&self, key: &str) -> StoreResult<()>;
    /// Deletes windows that started before `before`.
    async fn prune_rate_limits(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
