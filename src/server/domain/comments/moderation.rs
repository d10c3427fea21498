//! What editors do with comments: the moderation queue, decisions on single comments, and
//! per-article comment modes. Each decision, its live event and its audit entry commit together.

use super::publish;
use crate::{
    model::{
        AppError, AuditAction, AuditTarget, CommentMode, CommentStatus, LiveKind, ModerationAction,
        ModerationPage, ModerationTab, Role, Viewer,
    },
    server::{audit, state::Services},
};

/// The moderation queue.
pub async fn queue(
    svc: &Services,
    viewer: Viewer,
    tab: ModerationTab,
) -> Result<ModerationPage, AppError> {
    viewer.require(Role::Editor)?;
    let (pending, reported) = svc.store.queue_counts().await?;
    Ok(ModerationPage {
        viewer,
        tab,
        items: svc.store.moderation_queue(tab, 100).await?,
        pending,
        reported,
    })
}

/// The audit action recorded for a moderation decision.
fn audit_action(action: ModerationAction) -> AuditAction {
    match action {
        ModerationAction::Approve => AuditAction::CommentApprove,
        ModerationAction::Reject => AuditAction::CommentReject,
        ModerationAction::Spam => AuditAction::CommentSpam,
        ModerationAction::Dismiss => AuditAction::CommentDismiss,
        ModerationAction::Feature => AuditAction::CommentFeature,
        ModerationAction::Unfeature => AuditAction::CommentUnfeature,
        ModerationAction::Ban => AuditAction::CommentBan,
    }
}

/// A moderation decision: the comment's new state, its live event and the audit entry, in one
/// unit of work.
pub async fn moderate(
    svc: &Services,
    viewer: &Viewer,
    id: i64,
    action: ModerationAction,
) -> Result<String, AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let c = tx.comment(id).await?.ok_or(AppError::NotFound)?;
    if c.status == CommentStatus::Deleted {
        // The author took it down; no moderator brings it back.
        return Err(AppError::Conflict(
            "The author has deleted this comment.".into(),
        ));
    }
    let was_visible = c.status == CommentStatus::Approved;
    let (event, message) = match action {
        ModerationAction::Approve => {
            tx.set_comment_status(id, CommentStatus::Approved).await?;
            tx.resolve_reports(id).await?;
            (
                Some(LiveKind::Upsert),
                "Approved: it is now visible to readers.",
            )
        }
        ModerationAction::Reject | ModerationAction::Spam => {
            let (status, message) = if action == ModerationAction::Spam {
                (CommentStatus::Spam, "Marked as spam.")
            } else {
                (CommentStatus::Rejected, "Rejected.")
            };
            tx.set_comment_status(id, status).await?;
            tx.resolve_reports(id).await?;
            (was_visible.then_some(LiveKind::Delete), message)
        }
        ModerationAction::Dismiss => {
            tx.resolve_reports(id).await?;
            (None, "Reports dismissed; the comment stays.")
        }
        ModerationAction::Feature | ModerationAction::Unfeature => {
            let feature = action == ModerationAction::Feature;
            tx.set_featured(id, feature).await?;
            (
                was_visible.then_some(LiveKind::Upsert),
                if feature {
                    "Featured as a staff pick."
                } else {
                    "No longer featured."
                },
            )
        }
        ModerationAction::Ban => {
            // Their waiting comments were never visible, so only this one leaves open pages.
            tx.ban_reader(c.reader_id).await?;
            tx.set_comment_status(id, CommentStatus::Rejected).await?;
            (
                was_visible.then_some(LiveKind::Delete),
                "The reader is banned and their waiting comments are rejected.",
            )
        }
    };
    if let Some(kind) = event {
        publish(svc, &*tx, c.article_id, kind, id).await?;
    }
    audit::record(
        svc,
        &*tx,
        viewer,
        audit_action(action),
        (AuditTarget::Comment, Some(id)),
        format!(
            "{}: {}",
            c.author,
            c.body.chars().take(80).collect::<String>()
        ),
    )
    .await?;
    tx.commit().await?;
    svc.live.wake();
    Ok(message.into())
}

/// Sets an article's comment mode (editors); `None` returns to the site default.
pub async fn set_mode(
    svc: &Services,
    viewer: &Viewer,
    article_id: i64,
    mode: Option<CommentMode>,
) -> Result<String, AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let a = tx
        .article_by_id(article_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.set_comment_mode(article_id, mode).await?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::CommentMode,
        (AuditTarget::Article, Some(article_id)),
        format!(
            "{}: {}",
            a.title,
            mode.map(|m| m.as_str()).unwrap_or("site default")
        ),
    )
    .await?;
    tx.commit().await?;
    Ok("Comment settings saved.".into())
}
