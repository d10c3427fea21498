//! Storage for limits, leases and retention (issue #15).

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

/// Rate-limit refunds, leases and retention.
#[async_trait]
pub trait SecurityStore: Send + Sync + 'static {
    /// Takes back one hit counted in a window (an attempt that turned out legitimate).
    async fn refund_rate_limit(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<()>;
    /// Claims the lease `name` for `holder` until `until` if it is free or expired at `now`.
    /// True when this holder got it.
    async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The id of the oldest logged live event after `after`, if any.
    async fn next_live_event_id(&self, after: i64) -> StoreResult<Option<i64>>;
    /// Deletes what is past its retention; the newest live event always stays.
    async fn prune(&self, c: Cutoffs) -> StoreResult<Pruned>;
}
