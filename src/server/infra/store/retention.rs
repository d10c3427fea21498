//! Retention: what the hourly cleanup deletes, and the lease that makes one node run it.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What the retention job deleted, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub sessions: u64,
    pub reader_sessions: u64,
    pub reader_links: u64,
    pub flashes: u64,
    pub rate_limits: u64,
    pub live_events: u64,
    pub comment_reports: u64,
}

/// Retention cut-offs: rows older than these go.
#[derive(Debug, Clone, Copy)]
pub struct Cutoffs {
    pub now: DateTime<Utc>,
    /// Staff sessions last seen before this are idle-expired.
    pub idle_sessions: DateTime<Utc>,
    pub reader_links: DateTime<Utc>,
    pub rate_limits: DateTime<Utc>,
    pub live_events: DateTime<Utc>,
    pub resolved_reports: DateTime<Utc>,
}

/// Leases and retention.
#[async_trait]
pub trait RetentionStore: Send + Sync + 'static {
    /// Claims the lease `name` for `holder` until `until` if it is free or expired at `now`.
    /// True when this holder got it.
    async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Deletes what is past its retention; the newest live event always stays.
    async fn prune(&self, c: Cutoffs) -> StoreResult<Pruned>;
}
