//! Short-lived records on SQLite.

use super::SqliteStore;
use crate::server::store::{EphemeralStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl EphemeralStore for SqliteStore {
    async fn put_flash(
        &self,
        token_hash: &str,
        data: &str,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO flashes (token_hash, data, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(data)
            .bind(expires)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn flash(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT data FROM flashes WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?,
        )
    }
}
