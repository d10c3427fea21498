//! Scheduled publishing: stories whose time has come go live, each with its audit entry, in
//! one unit of work (so a crash publishes all of a round or none of it).

use crate::{
    model::{AppError, AuditAction, AuditTarget, Channel, LiveKind},
    server::{audit, state::Services},
};

/// Who the audit log names for automatic publishing.
pub const SCHEDULER: &str = "Scheduler";

/// Publishes every scheduled story that is due; returns their ids.
pub async fn publish_due(svc: &Services) -> Result<Vec<i64>, AppError> {
    let tx = svc.store.begin().await?;
    let ids = tx.publish_due(svc.clock.now()).await?;
    for id in &ids {
        let title = tx
            .article_by_id(*id)
            .await?
            .map(|a| a.title)
            .unwrap_or_default();
        audit::record_job(
            svc,
            &*tx,
            SCHEDULER,
            AuditAction::AutoPublish,
            (AuditTarget::Article, Some(*id)),
            title,
        )
        .await?;
    }
    for id in &ids {
        tx.log_live_event(Channel::Site, LiveKind::Upsert, *id, svc.clock.now())
            .await?;
    }
    tx.commit().await?;
    if !ids.is_empty() {
        svc.live.wake();
    }
    Ok(ids)
}
