//! The storage boundary: one domain trait, implemented for SQLite (and later PostgreSQL).
//!
//! Pages and services talk to `dyn Store`; only the implementations know SQL.

mod security;
pub mod sqlite;

pub use security::{Cutoffs, Pruned, SecurityStore};

use crate::model::{
    Article, ArticleCard, ArticleFilter, ArticleStatus, AuditEntry, Author, EditorArticleRow,
    Image, Page, RevisionSummary, Role, Section, TagRef, UserSummary,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What can go wrong below the domain.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (slug taken, email registered, ...).
    #[error("already exists")]
    Duplicate,
    /// Someone else changed the row since it was read.
    #[error("changed by someone else")]
    Stale,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Turns a unique-constraint violation into `Duplicate`, without matching constraint names.
    pub fn classify(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            sqlx::Error::RowNotFound => StoreError::NotFound,
            _ => StoreError::Database(e),
        }
    }
}

/// Store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// A shared handle to the store.
pub type SharedStore = Arc<dyn Store>;

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

/// The whole store: every domain's operations behind one handle.
#[async_trait]
pub trait Store:
    ContentStore
    + ArticleStore
    + ViewStore
    + EphemeralStore
    + UserStore
    + EditorialStore
    + LiveStore
    + NewsletterStore
    + CommentStore
    + SecurityStore
{
    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;
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
    /// A page of published articles, newest first, and the total count.
    async fn published(
        &self,
        listing: Listing,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<ArticleCard>, u64)>;
    /// Published cards by id, in the order given (unknown or unpublished ids are skipped).
    async fn cards_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<ArticleCard>>;
    /// Ranked full-text search over published articles.
    async fn search(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<SearchHit>, u64)>;
    /// Publishes scheduled articles whose time has come; returns their ids.
    async fn publish_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;
    /// Number of articles in any status.
    async fn article_count(&self) -> StoreResult<u64>;
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

/// Batched page-view counts for "Most popular".
#[async_trait]
pub trait ViewStore: Send + Sync + 'static {
    /// Adds view counts for one hour bucket, in one transaction.
    async fn add_views(&self, hour: DateTime<Utc>, counts: &[(i64, u64)]) -> StoreResult<()>;
    /// Published article ids with the most views since `since`, most-read first.
    async fn top_viewed(&self, since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<i64>>;
    /// Forgets buckets older than `before`.
    async fn prune_views(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// Short-lived records: form flashes.
#[async_trait]
pub trait EphemeralStore: Send + Sync + 'static {
    /// Keeps a flash (JSON) under a token hash until `expires`.
    async fn put_flash(
        &self,
        token_hash: &str,
        data: &str,
        expires: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Reads a flash that has not expired.
    async fn flash(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<String>>;
    /// Deletes expired flashes.
    async fn prune_flashes(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// A staff account with its password hash (never leaves the server).
#[derive(Clone)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A new staff account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

/// Accounts, sessions and rate-limit counters.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Creates an account (`Duplicate` when the email is taken).
    async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> StoreResult<i64>;
    /// An account by (normalized) email.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    /// An account by id.
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRecord>>;
    /// Every account, by name.
    async fn users(&self) -> StoreResult<Vec<UserSummary>>;
    /// Number of accounts.
    async fn user_count(&self) -> StoreResult<u64>;
    /// Changes an account's role.
    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<()>;
    /// Activates or deactivates an account (deactivating ends its sessions).
    async fn set_user_active(&self, id: i64, active: bool) -> StoreResult<()>;
    /// Replaces a password hash and ends the account's sessions.
    async fn set_password(&self, id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Stores a new session.
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The active account behind a live session: not past its absolute expiry, seen after
    /// `idle_cutoff`. Returns the account and when the session was last seen.
    async fn session_user(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        idle_cutoff: DateTime<Utc>,
    ) -> StoreResult<Option<(UserRecord, DateTime<Utc>)>>;
    /// Records activity on a session.
    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Ends one session.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Deletes expired and idle sessions.
    async fn prune_sessions(
        &self,
        now: DateTime<Utc>,
        idle_cutoff: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Counts one hit in a fixed window; returns the hits so far in that window.
    async fn hit_rate_limit(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<u32>;
    /// Hits so far in a window, without counting one.
    async fn rate_limit_hits(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<u32>;
    /// Forgets a key's counters (after a successful sign-in, say).
    async fn clear_rate_limit(&self, key: &str) -> StoreResult<()>;
    /// Deletes windows that started before `before`.
    async fn prune_rate_limits(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

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

/// Something to write to the audit log.
#[derive(Debug, Clone)]
pub struct AuditInput<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<i64>,
    pub detail: String,
}

/// The newsroom's working records: editor lists, revisions, autosaves, audit log, deletions.
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
    /// Writes an audit log entry.
    async fn audit(&self, entry: &AuditInput<'_>, now: DateTime<Utc>) -> StoreResult<()>;
    /// The audit log, newest first, and its length.
    async fn audit_log(&self, limit: u32, offset: u32) -> StoreResult<(Vec<AuditEntry>, u64)>;
    /// Deletes an article, leaving its slug answering 410.
    async fn delete_article(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// True when a deleted article used this slug.
    async fn is_gone(&self, slug: &str) -> StoreResult<bool>;
}

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

/// One entry of the live event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEventRecord {
    pub id: i64,
    pub channel: String,
    pub kind: String,
    pub target_id: i64,
}

/// Which feed items a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedQuery {
    /// Only items older than this id (pagination).
    pub before: Option<i64>,
    pub key_events_only: bool,
    pub limit: u32,
}

/// The live News Feed and the event log readers resume from.
#[async_trait]
pub trait LiveStore: Send + Sync + 'static {
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
    /// Logged events on a channel after `after`, oldest first.
    async fn live_events_after(
        &self,
        channel: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<LiveEventRecord>>;
    /// Every logged event after `after`, oldest first (for the fan-out sequencer).
    async fn all_live_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<LiveEventRecord>>;
    /// The newest event id (0 when there is none).
    async fn last_live_event_id(&self) -> StoreResult<i64>;
    /// Appends an event for another channel (comments use this).
    async fn log_live_event(
        &self,
        channel: &str,
        kind: &str,
        target_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
}

/// A delivery waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub issue_id: i64,
    pub subscriber_id: i64,
    pub email: String,
    pub attempts: i64,
}

/// A stored newsletter issue.
#[derive(Debug, Clone)]
pub struct IssueRecord {
    pub id: i64,
    pub newsletter: String,
    pub subject: String,
    pub intro_md: String,
    pub article_ids: Vec<i64>,
    pub html: String,
    pub text: String,
    pub status: String,
}

/// Subscribers, their subscriptions, issues and per-recipient deliveries.
#[async_trait]
pub trait NewsletterStore: Send + Sync + 'static {
    /// Records a sign-up (one subscriber per address, one subscription per newsletter);
    /// returns the subscriber id and the newsletters that now await confirmation.
    async fn subscribe(
        &self,
        email: &str,
        newsletters: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, Vec<String>)>;
    /// A subscriber's address.
    async fn subscriber_email(&self, id: i64) -> StoreResult<Option<String>>;
    /// A subscriber by address.
    async fn subscriber_by_email(&self, email: &str) -> StoreResult<Option<i64>>;
    /// Confirms pending subscriptions; returns how many changed.
    async fn confirm(
        &self,
        id: i64,
        newsletters: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// (newsletter, status) for every subscription of a subscriber.
    async fn subscriptions_of(&self, id: i64) -> StoreResult<Vec<(String, String)>>;
    /// Sets exactly which newsletters a verified subscriber receives.
    async fn set_subscriptions(
        &self,
        id: i64,
        all: &[String],
        wanted: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Unsubscribes from one newsletter (or every one, with `None`).
    async fn unsubscribe(
        &self,
        id: i64,
        newsletter: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Deletes pending subscriptions requested before `before`; returns how many.
    async fn expire_pending(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// (newsletter, status, count) for every subscription.
    async fn subscription_counts(&self) -> StoreResult<Vec<(String, String, u64)>>;
    /// Subscriptions whose address contains `q`.
    async fn search_subscriptions(
        &self,
        q: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::SubscriberRow>>;
    /// Every subscription of one newsletter, for CSV export.
    async fn export_subscriptions(
        &self,
        newsletter: &str,
    ) -> StoreResult<Vec<(String, String, DateTime<Utc>, Option<DateTime<Utc>>)>>;
    /// Confirmed subscribers of a newsletter.
    async fn confirmed_count(&self, newsletter: &str) -> StoreResult<u64>;
    /// Saves an issue draft (new when `id` is None); returns its id.
    #[allow(clippy::too_many_arguments)]
    async fn save_issue(
        &self,
        id: Option<i64>,
        newsletter: &str,
        subject: &str,
        intro_md: &str,
        article_ids: &[i64],
        html: &str,
        text: &str,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// One issue.
    async fn issue(&self, id: i64) -> StoreResult<Option<IssueRecord>>;
    /// Issues with their progress, newest first.
    async fn issues(&self, limit: u32) -> StoreResult<Vec<crate::model::IssueSummary>>;
    /// Starts sending a draft: one pending delivery per confirmed subscriber, fixed now.
    async fn start_issue(&self, id: i64, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Deliveries whose time has come, of issues being sent.
    async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32)
    -> StoreResult<Vec<DueDelivery>>;
    /// Marks a delivery sent (only a pending one; false if it was not pending).
    async fn mark_sent(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Schedules another attempt after a temporary failure.
    async fn mark_retry(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        error: &str,
        next: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Undoes `mark_sent` when the server refused the message in its reply to the final dot:
    /// pending again until `retry_at`, or failed when there is no retry.
    async fn revert_sent(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    /// Gives up on a delivery.
    async fn mark_failed(&self, issue_id: i64, subscriber_id: i64, error: &str) -> StoreResult<()>;
    /// Marks issues with nothing left pending as sent; returns their ids.
    async fn finish_issues(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;
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
    pub status: String,
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
    pub status: &'static str,
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
            body_hash: crate::server::comments::body_hash(&body),
            body,
            status: "approved",
            held_reason: String::new(),
            ip_hash: String::new(),
        }
    }
}

/// Readers, their sessions and sign-in links, comments, reports and per-article modes.
#[async_trait]
pub trait CommentStore: Send + Sync + 'static {
    /// Stores a single-use sign-in link (hash), for `email`, returning to `next`.
    async fn create_reader_link(
        &self,
        token_hash: &str,
        email: &str,
        next: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Uses a sign-in link once: its email and `next`, if it is valid and unused.
    async fn use_reader_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(String, String)>>;
    /// The reader with this email, created if new; returns the id.
    async fn ensure_reader(&self, email: &str, now: DateTime<Utc>) -> StoreResult<i64>;
    /// A reader.
    async fn reader(&self, id: i64) -> StoreResult<Option<crate::model::ReaderInfo>>;
    /// How many of a reader's comments have been approved (their trust).
    async fn approved_count(&self, reader_id: i64) -> StoreResult<i64>;
    /// Sets a reader's display name.
    async fn set_display_name(&self, id: i64, name: &str) -> StoreResult<()>;
    /// Bans a reader and rejects their pending comments; returns the ids rejected.
    async fn ban_reader(&self, id: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// Stores a reader session.
    async fn create_reader_session(
        &self,
        id_hash: &str,
        reader_id: i64,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The reader behind a live session.
    async fn reader_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<crate::model::ReaderInfo>>;
    /// Ends a reader session.
    async fn delete_reader_session(&self, id_hash: &str) -> StoreResult<()>;
    /// The article's comment mode override.
    async fn comment_mode(&self, article_id: i64)
    -> StoreResult<Option<crate::model::CommentMode>>;
    /// Sets (or with `None` clears) an article's comment mode.
    async fn set_comment_mode(
        &self,
        article_id: i64,
        mode: Option<crate::model::CommentMode>,
    ) -> StoreResult<()>;
    /// Adds a comment (threading fields derived from the parent); returns its id.
    async fn add_comment(
        &self,
        c: &NewComment,
        max_depth: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// One comment.
    async fn comment(&self, id: i64) -> StoreResult<Option<CommentRecord>>;
    /// Approved top-level comments of an article (sorted `oldest`, `newest` or `replies`),
    /// plus the viewer's own pending ones; and how many approved top-level comments exist.
    async fn top_comments(
        &self,
        article_id: i64,
        viewer: Option<i64>,
        sort: &str,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<CommentRecord>, u64)>;
    /// Replies in the given threads (approved, or the viewer's own pending), oldest first;
    /// with `per_thread`, only that many of each thread's first replies.
    async fn thread_replies(
        &self,
        roots: &[i64],
        viewer: Option<i64>,
        per_thread: Option<u32>,
    ) -> StoreResult<Vec<CommentRecord>>;
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
    async fn set_comment_status(&self, id: i64, status: &str)
    -> StoreResult<Option<CommentRecord>>;
    /// Marks a comment as a staff pick (or not).
    async fn set_featured(&self, id: i64, featured: bool) -> StoreResult<()>;
    /// Replaces a comment's text.
    async fn edit_comment(
        &self,
        id: i64,
        body: &str,
        body_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Records a report (one per reporter and comment).
    async fn report_comment(
        &self,
        id: i64,
        reporter: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The moderation queue: `pending` comments, or comments with unresolved reports.
    async fn moderation_queue(
        &self,
        tab: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::QueueItem>>;
    /// (pending, reported) counts for the queue tabs.
    async fn queue_counts(&self) -> StoreResult<(u64, u64)>;
    /// Resolves a comment's reports.
    async fn resolve_reports(&self, id: i64) -> StoreResult<()>;
}

/// Opens the store named by a `DATABASE_URL`.
pub async fn open(database_url: &str) -> StoreResult<SharedStore> {
    if database_url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(database_url).await?))
    } else {
        Err(StoreError::Database(sqlx::Error::Configuration(
            format!(
                "unsupported database URL scheme {:?}: this build supports sqlite:",
                database_url.split(':').next().unwrap_or_default()
            )
            .into(),
        )))
    }
}

#[cfg(test)]
mod tests;
