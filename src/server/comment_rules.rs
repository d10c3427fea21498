//! The moderation rules a comment's text meets, whether it is new or edited: one place, so an
//! edit cannot carry past them what a new comment could not.

use crate::{
    model::{AppError, CommentMode},
    server::{
        comments::{contains_word, count_links},
        state::Services,
    },
};

/// Why a comment with this `body` by this reader, on an article in `mode`, waits for a
/// moderator (empty: it is published at once).
pub async fn held_reasons(
    svc: &Services,
    mode: CommentMode,
    reader_id: i64,
    body: &str,
) -> Result<Vec<&'static str>, AppError> {
    let rules = &svc.config.comments;
    let mut held = Vec::new();
    if mode == CommentMode::Premoderated {
        held.push("article is pre-moderated");
    }
    let approved_before = svc.store.approved_count(reader_id).await?;
    if approved_before < rules.approvals_before_trusted as i64 {
        held.push("new commenter");
    }
    if count_links(body) > rules.max_links {
        held.push("many links");
    }
    if contains_word(body, &rules.suspect_words) {
        held.push("suspect words");
    }
    Ok(held)
}
