//! Articles, their listings and search.

use super::StoreResult;
use crate::model::{Article, ArticleCard, ArticleStatus};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Everything stored about an article, as written by the domain (already validated, sanitized).
#[derive(Debug, Clone)]
pub struct ArticleWrite {
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub body_md: String,
    pub body_html: String,
    pub body_text: String,
    pub word_count: u32,
    pub section_id: i64,
    pub hero_image_id: Option<i64>,
    pub hero_alt: String,
    pub hero_caption: String,
    pub hero_credit: String,
    pub status: ArticleStatus,
    pub editors_pick: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub revised_at: Option<DateTime<Utc>>,
    pub tag_ids: Vec<i64>,
    pub author_ids: Vec<i64>,
}

/// Which published articles a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Latest,
    Section(i64),
    Tag(i64),
    Author(i64),
    EditorsPicks,
}

/// A search result: the card plus highlighted fragments (already HTML-escaped, `<mark>`ed).
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub card: ArticleCard,
    pub title_html: String,
    pub snippet_html: String,
}

/// Where an old slug now points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlugRedirect {
    pub section_slug: String,
    pub slug: String,
}

/// Articles, their listings and search.
#[async_trait]
pub trait ArticleStore: Send + Sync + 'static {
    /// Creates an article; returns its id.
    async fn create_article(&self, a: &ArticleWrite, now: DateTime<Utc>) -> StoreResult<i64>;
    /// Replaces an article if it is still at `expected_version`; returns the new version.
    /// A changed slug leaves a redirect behind.
    async fn update_article(
        &self,
        id: i64,
        expected_version: i64,
        a: &ArticleWrite,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Any article by slug, whatever its status.
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Option<Article>>;
    /// Any article by id.
    async fn article_by_id(&self, id: i64) -> StoreResult<Option<Article>>;
    /// Where a retired slug now points.
    async fn slug_redirect(&self, old_slug: &str) -> StoreResult<Option<SlugRedirect>>;
    /// Publishes scheduled articles whose time has come; returns their ids.
    async fn publish_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;
    /// Number of articles in any status.
    async fn article_count(&self) -> StoreResult<u64>;
}

/// What readers browse: listings, search, sitemaps and syndication feeds of published work.
#[async_trait]
pub trait ListingStore: Send + Sync + 'static {
    /// Published articles, newest first (one statement).
    async fn published(
        &self,
        listing: Listing,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Vec<ArticleCard>>;
    /// The published articles with these slugs, as cards (one statement; order not kept).
    async fn published_by_slugs(&self, slugs: &[String]) -> StoreResult<Vec<ArticleCard>>;
    /// A page of a listing and the listing's total count, for paging.
    async fn published_page(
        &self,
        listing: Listing,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<ArticleCard>, u64)>;
    /// The newest `per_section` published cards of every section, newest first within each,
    /// in one statement: (section id, card).
    async fn section_leads(&self, per_section: u32) -> StoreResult<Vec<(i64, ArticleCard)>>;
    /// Published cards by id, in the order given (unknown or unpublished ids are skipped).
    async fn cards_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<ArticleCard>>;
    /// Ranked full-text search over published articles.
    async fn search(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<SearchHit>, u64)>;
    /// Published articles for sitemaps, oldest first: (section slug, slug, last modified).
    async fn sitemap_articles(
        &self,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Vec<(String, String, DateTime<Utc>)>>;
    /// Number of published articles.
    async fn published_count(&self) -> StoreResult<u64>;
    /// Published articles first published at or after `since`, newest first.
    async fn published_since(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ArticleCard>>;
    /// Full articles for a feed, newest first.
    async fn feed_articles(&self, listing: Listing, limit: u32) -> StoreResult<Vec<Article>>;
}
