//! Retention: the hourly cleanup that keeps growing tables bounded (sessions, sign-in links,
//! stored form results, rate-limit windows, the live event log, resolved reports).
//!
//! With several nodes on one database the cleanup runs once per period: the node that claims
//! the `retention` lease (one conditional upsert, the same on SQLite and PostgreSQL) runs it;
//! the others find the lease held and skip.

use crate::{
    model::AppError,
    server::{
        auth, crypto,
        state::Services,
        store::{Cutoffs, Pruned},
    },
};
use chrono::Duration;

/// How often the cleanup runs, across all nodes.
pub fn period() -> Duration {
    Duration::minutes(55)
}

/// Runs the cleanup if no node has within the period. `Some` with what was deleted when this
/// node ran it.
pub async fn run_if_due(svc: &Services) -> Result<Option<Pruned>, AppError> {
    let now = svc.clock.now();
    let holder = crypto::random_token();
    if !svc
        .store
        .claim_lease("retention", &holder, now, now + period())
        .await?
    {
        return Ok(None);
    }
    let r = &svc.config.retention;
    let pruned = svc
        .store
        .prune(Cutoffs {
            now,
            idle_sessions: now - auth::idle_timeout(),
            reader_links: now - Duration::hours(r.reader_links_hours.max(1)),
            rate_limits: now - Duration::hours(r.rate_limits_hours.max(2)),
            live_events: now - Duration::hours(r.live_events_hours.max(1)),
            resolved_reports: now - Duration::days(r.resolved_reports_days.max(1)),
        })
        .await?;
    tracing::info!(?pruned, "retention cleanup");
    Ok(Some(pruned))
}
