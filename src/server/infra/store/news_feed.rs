//! The News Feed: editorial updates posted by the newsroom.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A feed item as written by the domain.
#[derive(Debug, Clone)]
pub struct FeedItemWrite {
    pub headline: String,
    pub body_md: String,
    pub body_html: String,
    pub article_id: Option<i64>,
    pub section_id: Option<i64>,
    pub tag_ids: Vec<i64>,
    pub key_event: bool,
    pub pinned: bool,
    pub breaking: bool,
}

/// Which feed items a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedQuery {
    /// Only items older than this id (pagination).
    pub before: Option<i64>,
    pub key_events_only: bool,
    pub limit: u32,
}

/// The News Feed's items (each change also appends to the live log).
#[async_trait]
pub trait NewsFeedStore: Send + Sync + 'static {
    /// Creates an item and logs the change, atomically; returns (item id, event id).
    async fn create_feed_item(
        &self,
        item: &FeedItemWrite,
        author: (i64, &str),
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, i64)>;
    /// Replaces an item and logs the change; returns the event id.
    async fn update_feed_item(
        &self,
        id: i64,
        item: &FeedItemWrite,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Marks an item deleted and logs the change; returns the event id.
    async fn delete_feed_item(&self, id: i64, now: DateTime<Utc>) -> StoreResult<i64>;
    /// One item (deleted ones too, so permalinks can answer 410).
    async fn feed_item(&self, id: i64) -> StoreResult<Option<crate::model::FeedItem>>;
    /// Live items, newest first (pinned first on the first page).
    async fn feed_items(&self, q: FeedQuery) -> StoreResult<Vec<crate::model::FeedItem>>;
}
