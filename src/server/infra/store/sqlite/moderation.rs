//! Moderation on SQLite: the queue, reports, featuring, bans and comment modes.

use super::SqliteStore;
use crate::{
    model::{CommentMode, CommentStatus, ModerationTab, QueueItem, ReportReason},
    server::store::{ModerationStore, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};
use std::collections::HashMap;

#[async_trait]
impl ModerationStore for SqliteStore {
    async fn ban_reader(&self, id: i64) -> StoreResult<Vec<(i64, i64)>> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE readers SET banned = TRUE WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM reader_sessions WHERE reader_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let rejected: Vec<(i64, i64)> = sqlx::query_as(
            "UPDATE comments SET status = 'rejected' WHERE reader_id = $1 AND status = 'pending'
             RETURNING id, article_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rejected)
    }

    async fn comment_mode(&self, article_id: i64) -> StoreResult<Option<CommentMode>> {
        let mode: Option<String> =
            sqlx::query_scalar("SELECT mode FROM article_comment_modes WHERE article_id = $1")
                .bind(article_id)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(mode.as_deref().and_then(CommentMode::parse))
    }

    async fn set_comment_mode(
        &self,
        article_id: i64,
        mode: Option<CommentMode>,
    ) -> StoreResult<()> {
        match mode {
            Some(m) => {
                sqlx::query(
                    "INSERT INTO article_comment_modes (article_id, mode) VALUES ($1, $2)
                     ON CONFLICT (article_id) DO UPDATE SET mode = excluded.mode",
                )
                .bind(article_id)
                .bind(m.as_str())
                .execute(&mut *self.conn().await?)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM article_comment_modes WHERE article_id = $1")
                    .bind(article_id)
                    .execute(&mut *self.conn().await?)
                    .await?;
            }
        }
        Ok(())
    }

    async fn set_featured(&self, id: i64, featured: bool) -> StoreResult<()> {
        sqlx::query("UPDATE comments SET featured = $1 WHERE id = $2")
            .bind(featured)
            .bind(id)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn report_comment(
        &self,
        id: i64,
        reporter: &str,
        reason: ReportReason,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO comment_reports (comment_id, reporter, reason, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (comment_id, reporter) DO NOTHING",
        )
        .bind(id)
        .bind(reporter)
        .bind(reason)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn moderation_queue(
        &self,
        tab: ModerationTab,
        limit: u32,
    ) -> StoreResult<Vec<QueueItem>> {
        let filter = match tab {
            ModerationTab::Reported => {
                "c.status = 'approved' AND EXISTS (SELECT 1 FROM comment_reports rp WHERE rp.comment_id = c.id AND NOT rp.resolved)"
            }
            ModerationTab::Pending => "c.status = 'pending'",
        };
        let rows: Vec<(
            i64,
            String,
            String,
            String,
            String,
            i64,
            bool,
            String,
            CommentStatus,
            String,
            bool,
            DateTime<Utc>,
        )> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT c.id, a.title, s.slug, a.slug,
                     CASE WHEN r.display_name = '' THEN r.email ELSE r.display_name END,
                     r.id, r.banned, c.body, c.status, c.held_reason, c.featured, c.created_at
                 FROM comments c JOIN articles a ON a.id = c.article_id
                 JOIN sections s ON s.id = a.section_id JOIN readers r ON r.id = c.reader_id
                 WHERE {filter} ORDER BY c.created_at LIMIT $1"
        )))
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut reports: HashMap<i64, Vec<String>> = HashMap::new();
        if !ids.is_empty() {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT comment_id, reason FROM comment_reports WHERE NOT resolved AND comment_id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in &ids {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY created_at");
            let rr: Vec<(i64, String)> = qb
                .build_query_as()
                .fetch_all(&mut *self.conn().await?)
                .await?;
            for (id, reason) in rr {
                reports.entry(id).or_default().push(reason);
            }
        }
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    title,
                    section,
                    slug,
                    author,
                    reader_id,
                    banned,
                    body,
                    status,
                    held,
                    featured,
                    at,
                )| QueueItem {
                    id,
                    article_title: title,
                    article_path: crate::model::article_path(&section, &slug),
                    author,
                    reader_id,
                    reader_banned: banned,
                    body,
                    status,
                    held_reason: held,
                    featured,
                    reports: reports.remove(&id).unwrap_or_default(),
                    created_at: at,
                },
            )
            .collect())
    }

    async fn queue_counts(&self) -> StoreResult<(u64, u64)> {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE status = 'pending'")
                .fetch_one(&mut *self.conn().await?)
                .await?;
        let reported: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT c.id) FROM comments c JOIN comment_reports rp ON rp.comment_id = c.id
             WHERE c.status = 'approved' AND NOT rp.resolved",
        )
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok((pending as u64, reported as u64))
    }

    async fn resolve_reports(&self, id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE comment_reports SET resolved = TRUE WHERE comment_id = $1")
            .bind(id)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }
}
