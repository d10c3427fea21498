//! The live log: ordered change events that live streams resume from.
//!
//! Every change that open pages must see (a News Feed item posted, a comment approved, ...)
//! appends one event here **in the same unit of work as the change** (a transactional
//! outbox). Fan-out to open connections happens only after commit, by reading the log.
//!
//! # The ordering rule
//!
//! Readers resume by id: a reader that has seen event `n` asks for `id > n`. That is exact —
//! no committed event skipped, none shown twice — only if **event ids become visible in
//! increasing order**: once any reader can see event `n`, every event with a smaller id that
//! will ever commit is already visible. A backend must guarantee this:
//!
//! - **SQLite** (this crate's embedded store): every unit of work starts with
//!   `BEGIN IMMEDIATE`, which takes the database's single write lock and holds it until commit
//!   or rollback. Ids are assigned (`AUTOINCREMENT`) while the lock is held, so writers commit
//!   one at a time in id order. A rolled-back unit's id may be handed out again, which is
//!   harmless: no reader ever saw it.
//! - **PostgreSQL** (or any engine with concurrent writers): a sequence hands out ids at
//!   insert time, not at commit, so a slow transaction holding id 11 can commit after id 12
//!   is visible. Appending an event must therefore first take a transaction-scoped lock on the
//!   log (`SELECT pg_advisory_xact_lock(<live log key>)`), held until commit, and only then
//!   draw the id: appenders are serialised exactly as on SQLite and ids commit in order.
//!   Work that logs no event is not slowed by that lock.
//!
//! The contract tests (`store/tests.rs`) check the rule with many concurrent writers and a
//! reader following the log by id.

use super::StoreResult;
use crate::model::{Channel, LiveKind};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One entry of the live event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEventRecord {
    pub id: i64,
    pub channel: Channel,
    pub kind: LiveKind,
    pub target_id: i64,
}

/// The live log: ordered change events that live streams resume from.
#[async_trait]
pub trait LiveLog: Send + Sync + 'static {
    /// Logged events on a channel after `after`, oldest first.
    async fn live_events_after(
        &self,
        channel: Channel,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<LiveEventRecord>>;
    /// Every logged event after `after`, oldest first (for the fan-out sequencer).
    async fn all_live_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<LiveEventRecord>>;
    /// The id of the oldest logged event after `after`, if any (retention may have pruned
    /// the ones right after it).
    async fn next_live_event_id(&self, after: i64) -> StoreResult<Option<i64>>;
    /// The newest event id (0 when there is none).
    async fn last_live_event_id(&self) -> StoreResult<i64>;
    /// Appends an event; call it inside the unit of work of the change it reports.
    async fn log_live_event(
        &self,
        channel: Channel,
        kind: LiveKind,
        target_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
}
