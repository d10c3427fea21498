//! Background work inside the server process: scheduled publishing and view flushing.
//! Everything here is driven by the database, so it resumes correctly after a restart.

use crate::server::state::Services;
use chrono::Duration;
use std::sync::Arc;
use tokio::{sync::watch, task::JoinHandle};

/// How often the scheduler looks for due work.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs one round of periodic work (tests call this directly).
pub async fn tick(svc: &Services) {
    let now = svc.clock.now();
    match crate::server::articles::schedule::publish_due(svc).await {
        Ok(ids) if !ids.is_empty() => tracing::info!(?ids, "published scheduled articles"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "scheduled publishing failed"),
    }
    let ranking = svc.popularity.generation();
    if let Err(e) = svc.popularity.flush(&svc.store, now).await {
        tracing::error!(error = %e, "flushing view counts failed");
    }
    if svc.popularity.generation() != ranking {
        // Each node ranks from the shared counts; each drops its own pages with the rail.
        crate::server::page_cache::invalidate::drop_tags(
            svc,
            vec![crate::server::page_cache::tags::POPULAR.to_owned()],
        );
    }
}

/// Hourly housekeeping: expired sessions, rate-limit windows, flashes, unconfirmed sign-ups.
pub async fn housekeeping(svc: &Services) {
    let now = svc.clock.now();
    // Sessions, links, flashes, rate limits, live events, reports: once across all nodes.
    if let Err(e) = crate::server::retention::run_if_due(svc).await {
        tracing::error!(error = %e, "retention cleanup failed");
    }
    match crate::server::newsletters::expire_pending(svc).await {
        Ok(n) if n > 0 => tracing::info!(n, "expired unconfirmed newsletter sign-ups"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "expiring sign-ups failed"),
    }
    if let Err(e) = svc.store.prune_views(now - Duration::days(2)).await {
        tracing::error!(error = %e, "pruning view counts failed");
    }
}

/// Starts the background loop; it stops (after a last flush) when `shutdown` turns true.
pub fn spawn(svc: Arc<Services>, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        let mut rounds: u64 = 0;
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = shutdown.changed() => break,
            }
            tick(&svc).await;
            rounds += 1;
            if rounds.is_multiple_of(720) {
                housekeeping(&svc).await;
            }
        }
        tick(&svc).await;
    })
}
