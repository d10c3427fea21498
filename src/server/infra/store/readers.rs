//! Readers (commenters), their sign-in links and sessions.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Readers (commenters), their sign-in links and sessions.
#[async_trait]
pub trait ReaderStore: Send + Sync + 'static {
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
    /// Sets a reader's display name.
    async fn set_display_name(&self, id: i64, name: &str) -> StoreResult<()>;
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
}
