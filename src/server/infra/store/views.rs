//! Batched page-view counts for "Most popular".

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Batched page-view counts for "Most popular".
#[async_trait]
pub trait ViewStore: Send + Sync + 'static {
    /// Adds view counts for one hour bucket, in one transaction.
    async fn add_views(&self, hour: DateTime<Utc>, counts: &[(i64, u64)]) -> StoreResult<()>;
    /// Published article ids with the most views since `since`, most-read first.
    async fn top_viewed(&self, since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<i64>>;
    /// Forgets buckets older than `before`.
    async fn prune_views(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
