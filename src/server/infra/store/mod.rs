//! The storage boundary: per-feature traits (one file each, with their records), implemented
//! for SQLite (and, behind the same traits, other backends).
//!
//! The domain talks to `dyn Store`; only the implementations know SQL.
//!
//! **One change, one transaction.** A state change runs as a unit of work:
//! [`Store::begin`] opens a transaction, the domain makes its writes through the returned
//! [`Tx`] (which offers every feature trait), appends its live events and audit entries there
//! too, and [`Tx::commit`] makes all of it visible at once. Dropping a `Tx` without committing
//! rolls everything back. An error inside a unit of work ends it: the domain returns the error
//! rather than carrying on (PostgreSQL refuses further statements after an error, and SQLite
//! follows the same rule here). Calls made directly on the `Store` each stand alone; they are
//! for reads and for single-statement bookkeeping (flashes, view counts, rate limits, session
//! touches) that belongs to no change.
//!
//! **Units see a stable world.** A unit may read, decide and write (the last active admin, a
//! comment's status before a moderation decision, counters adjusted from what was read). On
//! SQLite the write lock taken by `BEGIN IMMEDIATE` makes every unit serializable. A backend
//! with concurrent writers must give the same guarantee: run units at `SERIALIZABLE` and
//! retry on serialization failures, or lock what it reads with `SELECT … FOR UPDATE`. Live
//! events are appended last in a unit, after its row writes, so the live log's lock (see
//! `live_log.rs`) is always taken last and units cannot deadlock on it.

pub mod sqlite;

mod articles;
mod audit;
mod comments;
mod content;
mod editorial;
mod ephemeral;
mod live_log;
mod news_feed;
mod newsletters;
mod rate_limits;
mod readers;
mod retention;
mod users;
mod views;

pub use articles::*;
pub use audit::*;
pub use comments::*;
pub use content::*;
pub use editorial::*;
pub use ephemeral::*;
pub use live_log::*;
pub use news_feed::*;
pub use newsletters::*;
pub use rate_limits::*;
pub use readers::*;
pub use retention::*;
pub use users::*;
pub use views::*;

use async_trait::async_trait;
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
    /// A unit of work was used after it ended, or by two calls at once (a bug, not a
    /// database state).
    #[error("a unit of work was used after it ended or from two calls at once")]
    Reentrant,
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

/// Every feature's operations, as offered both by the store and by a unit of work.
pub trait Features:
    ContentStore
    + ArticleStore
    + ListingStore
    + ViewStore
    + EphemeralStore
    + UserStore
    + RateLimitStore
    + EditorialStore
    + AuditStore
    + NewsFeedStore
    + LiveLog
    + NewsletterStore
    + ReaderStore
    + CommentStore
    + ModerationStore
    + RetentionStore
{
}

impl<T> Features for T where
    T: ContentStore
        + ArticleStore
        + ListingStore
        + ViewStore
        + EphemeralStore
        + UserStore
        + RateLimitStore
        + EditorialStore
        + AuditStore
        + NewsFeedStore
        + LiveLog
        + NewsletterStore
        + ReaderStore
        + CommentStore
        + ModerationStore
        + RetentionStore
{
}

/// The store: every feature, migrations, and units of work.
#[async_trait]
pub trait Store: Features {
    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Starts a unit of work (a write transaction).
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;
}

/// One unit of work: every feature's operations on one transaction, committed once.
#[async_trait]
pub trait Tx: Features {
    /// Makes every write of the unit visible at once.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
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
