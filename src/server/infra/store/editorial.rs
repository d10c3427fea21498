//! The newsroom's working records: editor lists, revisions, autosaves, deletions.

use super::{ArticleWrite, StoreResult};
use crate::model::{ArticleFilter, EditorArticleRow, RevisionSummary};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A stored revision with its content.
#[derive(Debug, Clone)]
pub struct RevisionRecord {
    pub summary: RevisionSummary,
    pub article_id: i64,
    pub slug: String,
    pub dek: String,
    pub body_md: String,
    pub section_id: i64,
    pub editors_pick: bool,
    pub hero_image_id: Option<i64>,
    pub hero_alt: String,
    pub hero_caption: String,
    pub hero_credit: String,
    /// Tag names, comma-separated.
    pub tags: String,
    pub author_ids: Vec<i64>,
}

/// The newsroom's working records: editor lists, revisions, autosaves, deletions.
#[async_trait]
pub trait EditorialStore: Send + Sync + 'static {
    /// Articles in any status for the editor list, most recently updated first.
    async fn editor_articles(
        &self,
        filter: &ArticleFilter,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<EditorArticleRow>, u64)>;
    /// Snapshots an article after a save.
    async fn add_revision(
        &self,
        article_id: i64,
        version: i64,
        a: &ArticleWrite,
        tags: &str,
        editor: (Option<i64>, &str),
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// An article's revisions, newest first.
    async fn revisions(&self, article_id: i64) -> StoreResult<Vec<RevisionSummary>>;
    /// One revision.
    async fn revision(&self, id: i64) -> StoreResult<Option<RevisionRecord>>;
    /// Keeps an editor's unsaved form for an article (0 for a new article).
    async fn put_autosave(
        &self,
        article_id: i64,
        user_id: i64,
        data: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// An editor's autosave for an article.
    async fn autosave(
        &self,
        article_id: i64,
        user_id: i64,
    ) -> StoreResult<Option<(String, DateTime<Utc>)>>;
    /// Drops an editor's autosave.
    async fn delete_autosave(&self, article_id: i64, user_id: i64) -> StoreResult<()>;
    /// Deletes an article, leaving its slug answering 410.
    async fn delete_article(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// True when a deleted article used this slug.
    async fn is_gone(&self, slug: &str) -> StoreResult<bool>;
}
