//! Comments: readers post plain-text threaded comments under the moderation rules in
//! `[comments]`, edit them briefly and report others'; editors moderate. Approved comments
//! reach open pages through the live log (channel `comments:<article id>`), written in the
//! same unit of work as the change.
//!
//! - [`body`]: the rules a comment's text must pass, and its safe HTML;
//! - [`listing`]: threads and pages as readers see them;
//! - [`posting`]: post, edit, delete, report (readers);
//! - [`moderation`]: the queue, decisions and per-article modes (editors).
//!
//! Reader identity (sign-in links, sessions, display names) is [`crate::server::readers`].

pub mod body;
pub mod listing;
pub mod moderation;
pub mod posting;

pub use listing::{for_article, mode_of, public_view, section, thread};
pub use moderation::{moderate, queue, set_mode};
pub use posting::{delete, edit, post, report};

use crate::{
    model::{AppError, Channel, CommentStatus, LiveKind},
    server::{
        live::{Payload, gone, render_safely},
        state::Services,
        store::{LiveEventRecord, Tx},
    },
};

/// Top-level comments per page.
pub const PER_PAGE: u32 = 20;
/// Replies shown under each thread on the comments list (the rest are one link away).
pub const REPLIES_SHOWN: u32 = 5;
/// Replies per page when one thread is shown on its own.
pub const THREAD_PAGE: u32 = 50;

/// What happened to a posted comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    Published(i64),
    Held(i64),
    Ignored,
}

/// The live channel of an article's comments.
pub fn channel(article_id: i64) -> Channel {
    Channel::Comments(article_id)
}

/// Appends a comment's live event to the unit of work (readers see it after the commit).
pub(crate) async fn publish(
    svc: &Services,
    tx: &dyn Tx,
    article_id: i64,
    kind: LiveKind,
    comment_id: i64,
) -> Result<(), AppError> {
    tx.log_live_event(channel(article_id), kind, comment_id, svc.clock.now())
        .await?;
    Ok(())
}

/// The live payload of a comment event: the comment as anyone sees it, or its removal.
pub async fn live_payload(svc: &Services, rec: &LiveEventRecord) -> Payload {
    let Ok(Some(c)) = svc.store.comment(rec.target_id).await else {
        return gone(rec.target_id);
    };
    if rec.kind != LiveKind::Upsert || c.status != CommentStatus::Approved {
        return gone(rec.target_id);
    }
    let view = public_view(svc, &c);
    let rules = &svc.config.comments;
    let html = match svc.live.views() {
        Some(v) => render_safely(|| {
            (v.comment)(
                &view,
                c.article_id,
                &svc.site,
                rules.max_depth,
                rules.max_length,
            )
        }),
        None => Some(String::new()),
    };
    let Some(html) = html else {
        return gone(rec.target_id);
    };
    (
        LiveKind::Upsert,
        serde_json::json!({
            "item": c.id,
            "parent": c.parent_id,
            "headline": format!("New comment by {}", c.author),
            "html": html,
        })
        .to_string(),
    )
}

/// A keyed hash of a client address (addresses are never stored raw).
pub(crate) fn ip_hash(svc: &Services, ip: &str) -> String {
    crate::server::limits::subject_hash(svc, ip)
}

#[cfg(test)]
mod tests;
