//! Comments, reports, moderation and per-article comment modes.

use super::StoreResult;
use crate::model::{
    CommentMode, CommentSort, CommentStatus, ModerationTab, QueueItem, ReportReason,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What [`CommentStore::comments_page`] reads.
#[derive(Debug, Clone, Default)]
pub struct CommentsPage {
    pub top: Vec<CommentRecord>,
    pub replies: Vec<CommentRecord>,
    /// Approved top-level comments.
    pub top_total: u64,
    /// Approved comments.
    pub total: u64,
    /// The article's comment mode override.
    pub mode: Option<CommentMode>,
}

/// A stored comment with what moderation and rendering need.
#[derive(Debug, Clone)]
pub struct CommentRecord {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub root_id: i64,
    pub depth: i64,
    pub reader_id: i64,
    pub author: String,
    pub body: String,
    pub status: CommentStatus,
    pub held_reason: String,
    pub featured: bool,
    pub reply_count: i64,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
}

/// A new comment, already checked.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub reader_id: i64,
    pub body: String,
    pub body_hash: String,
    pub status: CommentStatus,
    pub held_reason: String,
    pub ip_hash: String,
}

impl NewComment {
    /// An already-approved comment (demo content, imports, benchmarks).
    pub fn approved(article_id: i64, parent_id: Option<i64>, reader_id: i64, body: String) -> Self {
        NewComment {
            article_id,
            parent_id,
            reader_id,
            body_hash: crate::server::text::fingerprint(&body),
            body,
            status: CommentStatus::Approved,
            held_reason: String::new(),
            ip_hash: String::new(),
        }
    }
}

/// Comments, reports, moderation and per-article comment modes.
#[async_trait]
pub trait CommentStore: Send + Sync + 'static {
    /// How many of a reader's comments have been approved (their trust).
    async fn approved_count(&self, reader_id: i64) -> StoreResult<i64>;
    /// Adds a comment (threading fields derived from the parent); returns its id.
    async fn add_comment(
        &self,
        c: &NewComment,
        max_depth: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// One comment.
    async fn comment(&self, id: i64) -> StoreResult<Option<CommentRecord>>;
    /// One page of an article's comments in one statement: top-level comments (approved,
    /// plus the viewer's own pending; sorted `oldest`, `newest` or `replies`), the first
    /// `per_thread` replies of each (oldest first), the counts and the article's mode.
    async fn comments_page(
        &self,
        article_id: i64,
        viewer: Option<i64>,
        sort: CommentSort,
        (limit, offset): (u32, u32),
        per_thread: u32,
    ) -> StoreResult<CommentsPage>;
    /// One page of a thread's replies (as `thread_replies` shows them), oldest first.
    async fn thread_page(
        &self,
        root: i64,
        viewer: Option<i64>,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Vec<CommentRecord>>;
    /// Approved comments on an article.
    async fn comment_count(&self, article_id: i64) -> StoreResult<u64>;
    /// Whether the reader posted the same text in the last day.
    async fn recent_duplicate(
        &self,
        reader_id: i64,
        body_hash: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Sets a comment's status (approving counts towards the author's trust and the thread's
    /// replies); returns the comment as it was before.
    async fn set_comment_status(
        &self,
        id: i64,
        status: CommentStatus,
    ) -> StoreResult<Option<CommentRecord>>;
    /// Replaces a comment's text and its moderation state (status, held reason), if it is still
    /// approved or pending; returns it as it was before (`None`: not editable any more).
    async fn edit_comment(
        &self,
        id: i64,
        body: &str,
        body_hash: &str,
        moderation: (CommentStatus, &str),
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CommentRecord>>;
}

/// Moderation: the queue, reports, featuring, bans and per-article comment modes.
#[async_trait]
pub trait ModerationStore: Send + Sync + 'static {
    /// Bans a reader and rejects their pending comments; returns the ids rejected.
    async fn ban_reader(&self, id: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// The article's comment mode override.
    async fn comment_mode(&self, article_id: i64) -> StoreResult<Option<CommentMode>>;
    /// Sets (or with `None` clears) an article's comment mode.
    async fn set_comment_mode(&self, article_id: i64, mode: Option<CommentMode>)
    -> StoreResult<()>;
    /// Marks a comment as a staff pick (or not).
    async fn set_featured(&self, id: i64, featured: bool) -> StoreResult<()>;
    /// Records a report (one per reporter and comment).
    async fn report_comment(
        &self,
        id: i64,
        reporter: &str,
        reason: ReportReason,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The moderation queue: `pending` comments, or comments with unresolved reports.
    async fn moderation_queue(&self, tab: ModerationTab, limit: u32)
    -> StoreResult<Vec<QueueItem>>;
    /// (pending, reported) counts for the queue tabs.
    async fn queue_counts(&self) -> StoreResult<(u64, u64)>;
    /// Resolves a comment's reports.
    async fn resolve_reports(&self, id: i64) -> StoreResult<()>;
}
