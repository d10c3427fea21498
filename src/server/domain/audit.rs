//! The audit log: every state change made by a person or a job, written in the same unit of
//! work as the change itself.

use crate::{
    model::{AppError, AuditAction, AuditPage, AuditTarget, Role, Viewer},
    server::{
        state::Services,
        store::{AuditInput, Tx},
    },
};

/// Entries per page of the audit log.
pub const PER_PAGE: u32 = 50;

/// Writes one entry for `viewer` into the unit of work `tx`.
pub async fn record(
    svc: &Services,
    tx: &dyn Tx,
    viewer: &Viewer,
    action: AuditAction,
    (target_type, target_id): (AuditTarget, Option<i64>),
    detail: String,
) -> Result<(), AppError> {
    write(
        svc,
        tx,
        (Some(viewer.user_id), &viewer.name),
        action,
        (target_type, target_id),
        detail,
    )
    .await
}

/// Writes one entry for a background job (`name` says which) into the unit of work `tx`.
pub async fn record_job(
    svc: &Services,
    tx: &dyn Tx,
    name: &str,
    action: AuditAction,
    target: (AuditTarget, Option<i64>),
    detail: String,
) -> Result<(), AppError> {
    write(svc, tx, (None, name), action, target, detail).await
}

async fn write(
    svc: &Services,
    tx: &dyn Tx,
    (actor_id, actor_name): (Option<i64>, &str),
    action: AuditAction,
    (target_type, target_id): (AuditTarget, Option<i64>),
    detail: String,
) -> Result<(), AppError> {
    tx.audit(
        &AuditInput {
            actor_id,
            actor_name,
            action,
            target_type,
            target_id,
            detail,
        },
        svc.clock.now(),
    )
    .await?;
    Ok(())
}

/// The audit log page (editors).
pub async fn page(svc: &Services, viewer: Viewer, page: u32) -> Result<AuditPage, AppError> {
    viewer.require(Role::Editor)?;
    let page = page.max(1);
    let (entries, total) = svc.store.audit_log(PER_PAGE, (page - 1) * PER_PAGE).await?;
    Ok(AuditPage {
        viewer,
        entries,
        page,
        total,
    })
}
