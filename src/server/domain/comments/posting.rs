//! What readers do with comments: post, edit, delete and report. Each change and its live
//! event commit together.

use super::{
    Posted, body,
    listing::mode_of,
    {ip_hash, publish},
};
use crate::{
    model::{
        AppError, ArticleStatus, CommentMode, CommentStatus, LiveKind, ReaderInfo, ReportReason,
    },
    server::{
        limits,
        state::Services,
        store::{CommentRecord, NewComment, StoreError},
        text::fingerprint,
    },
};
use chrono::Duration;

/// The status a checked comment gets: visible at once, or held for a moderator.
fn status_for(checked: &body::Checked) -> CommentStatus {
    if checked.held.is_empty() {
        CommentStatus::Approved
    } else {
        CommentStatus::Pending
    }
}

/// Whether a reader's earlier comments make them trusted (not held as a new commenter).
async fn trusted(svc: &Services, reader_id: i64) -> Result<bool, AppError> {
    let approved = svc.store.approved_count(reader_id).await?;
    Ok(approved >= svc.config.comments.approvals_before_trusted as i64)
}

/// The per-reader and per-network limits on writing comments (posting and editing alike).
async fn writing_limits(svc: &Services, reader: &ReaderInfo, ip: &str) -> Result<(), AppError> {
    let slow = "You are commenting very quickly. Please wait a few minutes.";
    limits::hit(svc, limits::COMMENT_READER, &reader.id.to_string(), slow).await?;
    limits::hit(svc, limits::COMMENT_NETWORK, &limits::network(ip), slow).await
}

/// Posts a comment or reply under the moderation rules.
pub async fn post(
    svc: &Services,
    reader: &ReaderInfo,
    article_id: i64,
    parent_id: Option<i64>,
    text: &str,
    honeypot: &str,
    ip: &str,
) -> Result<Posted, AppError> {
    let rules = &svc.config.comments;
    if !honeypot.trim().is_empty() {
        return Ok(Posted::Ignored);
    }
    let article = svc
        .store
        .article_by_id(article_id)
        .await?
        .filter(|a| a.status == ArticleStatus::Published)
        .ok_or(AppError::NotFound)?;
    let mode = mode_of(svc, &article).await?;
    if mode == CommentMode::Closed {
        return Err(AppError::Conflict(
            "Comments are closed on this article.".into(),
        ));
    }
    let current = svc
        .store
        .reader(reader.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if current.banned {
        return Err(AppError::Forbidden);
    }
    if current.display_name.is_empty() {
        return Err(AppError::field(
            "body",
            "Choose the name shown with your comments first (on your account page).",
        ));
    }
    let checked = body::check(rules, mode, trusted(svc, reader.id).await?, text)?;
    writing_limits(svc, reader, ip).await?;
    let body_hash = fingerprint(&checked.body);
    if svc
        .store
        .recent_duplicate(reader.id, &body_hash, svc.clock.now() - Duration::days(1))
        .await?
    {
        return Err(AppError::field(
            "body",
            "You have already posted this comment.",
        ));
    }
    let status = status_for(&checked);
    let tx = svc.store.begin().await?;
    let id = tx
        .add_comment(
            &NewComment {
                article_id,
                parent_id,
                reader_id: reader.id,
                body: checked.body,
                body_hash,
                status,
                held_reason: checked.held.join(", "),
                ip_hash: ip_hash(svc, ip),
            },
            rules.max_depth,
            svc.clock.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::field("body", "The comment you replied to is gone."),
            other => other.into(),
        })?;
    if status == CommentStatus::Approved {
        publish(svc, &*tx, article_id, LiveKind::Upsert, id).await?;
    }
    tx.commit().await?;
    svc.live.wake();
    Ok(match status {
        CommentStatus::Approved => Posted::Published(id),
        _ => Posted::Held(id),
    })
}

async fn own_comment(
    svc: &Services,
    reader: &ReaderInfo,
    id: i64,
) -> Result<CommentRecord, AppError> {
    let c = svc.store.comment(id).await?.ok_or(AppError::NotFound)?;
    if c.reader_id != reader.id {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

/// Edits one's own comment within the edit window. The new text passes the same rules as a
/// new comment: an edit that would have been held goes back to the moderators (and leaves
/// open pages until approved).
pub async fn edit(
    svc: &Services,
    reader: &ReaderInfo,
    id: i64,
    text: &str,
    ip: &str,
) -> Result<(), AppError> {
    let c = own_comment(svc, reader, id).await?;
    if !matches!(c.status, CommentStatus::Approved | CommentStatus::Pending) {
        return Err(AppError::NotFound);
    }
    if svc.clock.now() - c.created_at >= Duration::minutes(svc.config.comments.edit_window_minutes)
    {
        return Err(AppError::Conflict(
            "The time for editing this comment has passed.".into(),
        ));
    }
    let article = svc
        .store
        .article_by_id(c.article_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mode = mode_of(svc, &article).await?;
    if mode == CommentMode::Closed {
        return Err(AppError::Conflict(
            "Comments are closed on this article.".into(),
        ));
    }
    let checked = body::check(
        &svc.config.comments,
        mode,
        trusted(svc, reader.id).await?,
        text,
    )?;
    writing_limits(svc, reader, ip).await?;
    let status = status_for(&checked);
    let tx = svc.store.begin().await?;
    // The state that counts is the one inside the unit: a moderator may have rejected it, or
    // the author deleted it, since it was read above.
    let before = tx
        .edit_comment(
            id,
            &checked.body,
            &fingerprint(&checked.body),
            (status, &checked.held.join(", ")),
            svc.clock.now(),
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = match (before.status, status) {
        (_, CommentStatus::Approved) => Some(LiveKind::Upsert),
        (CommentStatus::Approved, _) => Some(LiveKind::Delete),
        _ => None,
    };
    if let Some(kind) = kind {
        publish(svc, &*tx, c.article_id, kind, id).await?;
    }
    tx.commit().await?;
    svc.live.wake();
    Ok(())
}

/// Deletes one's own comment.
pub async fn delete(svc: &Services, reader: &ReaderInfo, id: i64) -> Result<(), AppError> {
    let c = own_comment(svc, reader, id).await?;
    let tx = svc.store.begin().await?;
    let before = tx
        .set_comment_status(id, CommentStatus::Deleted)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.status == CommentStatus::Approved {
        publish(svc, &*tx, c.article_id, LiveKind::Delete, id).await?;
    }
    tx.commit().await?;
    svc.live.wake();
    Ok(())
}

/// Reports a comment to the moderators.
pub async fn report(
    svc: &Services,
    reader: Option<&ReaderInfo>,
    ip: &str,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let reason: ReportReason = reason
        .parse()
        .map_err(|_| AppError::field("reason", "Choose a reason."))?;
    let c = svc
        .store
        .comment(id)
        .await?
        .filter(|c| c.status == CommentStatus::Approved)
        .ok_or(AppError::NotFound)?;
    let reporter = match reader {
        Some(r) => format!("reader:{}", r.id),
        None => format!("ip:{}", ip_hash(svc, ip)),
    };
    limits::hit(
        svc,
        limits::REPORT,
        &reporter,
        "Too many reports; please try again later.",
    )
    .await?;
    svc.store
        .report_comment(c.id, &reporter, reason, svc.clock.now())
        .await?;
    Ok(())
}
