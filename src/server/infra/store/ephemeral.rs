//! Short-lived records: form flashes.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

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
}
