//! Settings, sections, tags, authors, images and static pages.

use super::StoreResult;
use crate::model::{Author, Image, Page, Section, TagRef};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A section as configured, to be synchronised into the store.
#[derive(Debug, Clone)]
pub struct SectionInput {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub position: i64,
}

/// A new author.
#[derive(Debug, Clone, Default)]
pub struct AuthorInput {
    pub slug: String,
    pub name: String,
    pub role_title: String,
    pub bio: String,
    pub photo_id: Option<i64>,
}

/// A new image (its files are already on disk).
#[derive(Debug, Clone)]
pub struct ImageInput {
    pub key: String,
    pub width: u32,
    pub height: u32,
    pub widths: Vec<u32>,
}

/// Settings, sections, tags, authors, images and static pages.
#[async_trait]
pub trait ContentStore: Send + Sync + 'static {
    /// A stored setting.
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Stores a setting unless one exists; returns the value that is stored afterwards.
    async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String>;
    /// Creates or updates sections by slug.
    async fn sync_sections(&self, sections: &[SectionInput]) -> StoreResult<()>;
    /// All sections in menu order.
    async fn sections(&self) -> StoreResult<Vec<Section>>;
    /// Returns the tag with this slug, creating it with `name` if needed.
    async fn ensure_tag(&self, slug: &str, name: &str) -> StoreResult<i64>;
    /// A tag by slug.
    async fn tag_by_slug(&self, slug: &str) -> StoreResult<Option<(i64, TagRef)>>;
    /// Tags that have at least one published article.
    async fn used_tags(&self) -> StoreResult<Vec<TagRef>>;
    /// Creates an author.
    async fn create_author(&self, author: &AuthorInput) -> StoreResult<i64>;
    /// All authors, by name.
    async fn authors(&self) -> StoreResult<Vec<Author>>;
    /// An author by slug.
    async fn author_by_slug(&self, slug: &str) -> StoreResult<Option<Author>>;
    /// Records an image, or returns the existing one with the same key.
    async fn insert_image(&self, image: &ImageInput, now: DateTime<Utc>) -> StoreResult<Image>;
    /// An image by id.
    async fn image(&self, id: i64) -> StoreResult<Option<Image>>;
    /// Creates or replaces a static page.
    async fn upsert_page(
        &self,
        slug: &str,
        title: &str,
        body_md: &str,
        body_html: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// A static page by slug.
    async fn page_by_slug(&self, slug: &str) -> StoreResult<Option<Page>>;
    /// All static pages, by title.
    async fn pages(&self) -> StoreResult<Vec<Page>>;
}
