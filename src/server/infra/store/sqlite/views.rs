//! View counts on SQLite.

use super::SqliteStore;
use crate::server::store::{StoreResult, ViewStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl ViewStore for SqliteStore {
    async fn add_views(&self, hour: DateTime<Utc>, counts: &[(i64, u64)]) -> StoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for (article_id, n) in counts {
            // The article may have been deleted since it was viewed: skip it, keep the rest.
            sqlx::query(
                "INSERT INTO article_views (article_id, hour, views)
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1)
                 ON CONFLICT (article_id, hour) DO UPDATE SET views = article_views.views + excluded.views",
            )
            .bind(article_id)
            .bind(hour)
            .bind(*n as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn top_viewed(&self, since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT v.article_id FROM article_views v JOIN articles a ON a.id = v.article_id
             WHERE v.hour >= $1 AND a.status = 'published'
             GROUP BY v.article_id ORDER BY SUM(v.views) DESC, v.article_id DESC LIMIT $2",
        )
        .bind(since)
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn prune_views(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM article_views WHERE hour < $1")
            .bind(before)
            .execute(&mut *self.conn().await?)
            .await?
            .rows_affected())
    }
}
