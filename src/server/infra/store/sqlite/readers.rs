//! Readers, their sign-in links and sessions on SQLite.

use super::SqliteStore;
use crate::{
    model::ReaderInfo,
    server::store::{ReaderStore, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub(super) fn reader_from(
    (id, email, display_name, banned): (i64, String, String, bool),
) -> ReaderInfo {
    ReaderInfo {
        id,
        email,
        display_name,
        banned,
    }
}

#[async_trait]
impl ReaderStore for SqliteStore {
    async fn create_reader_link(
        &self,
        token_hash: &str,
        email: &str,
        next: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO reader_links (token_hash, email, next, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(email)
        .bind(next)
        .bind(now)
        .bind(expires)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn use_reader_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "UPDATE reader_links SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING email, next",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *self.conn().await?)
        .await?)
    }

    async fn ensure_reader(&self, email: &str, now: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query(
            "INSERT INTO readers (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING",
        )
        .bind(email)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT id FROM readers WHERE email = $1")
                .bind(email)
                .fetch_one(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn reader(&self, id: i64) -> StoreResult<Option<ReaderInfo>> {
        let row: Option<(i64, String, String, bool)> =
            sqlx::query_as("SELECT id, email, display_name, banned FROM readers WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(row.map(reader_from))
    }

    async fn set_display_name(&self, id: i64, name: &str) -> StoreResult<()> {
        sqlx::query("UPDATE readers SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn create_reader_session(
        &self,
        id_hash: &str,
        reader_id: i64,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO reader_sessions (id_hash, reader_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(id_hash)
        .bind(reader_id)
        .bind(now)
        .bind(expires)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn reader_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ReaderInfo>> {
        let row: Option<(i64, String, String, bool)> = sqlx::query_as(
            "SELECT r.id, r.email, r.display_name, r.banned FROM reader_sessions s
             JOIN readers r ON r.id = s.reader_id WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(reader_from))
    }

    async fn delete_reader_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM reader_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }
}
