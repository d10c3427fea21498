//! Fixed-window counters behind every rate limit (keys are hashed by the caller).

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Fixed-window counters behind every rate limit.
#[async_trait]
pub trait RateLimitStore: Send + Sync + 'static {
    /// Counts one hit in a fixed window; returns the hits so far in that window.
    async fn hit_rate_limit(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<u32>;
    /// Takes back one hit counted in a window (an attempt that turned out legitimate).
    async fn refund_rate_limit(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<()>;
    /// Forgets a key's counters (after a successful sign-in, say).
    async fn clear_rate_limit(&self, key: &str) -> StoreResult<()>;
}
