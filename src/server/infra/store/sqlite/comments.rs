//! Readers, comments, reports and moderation on SQLite.

use super::SqliteStore;
use crate::{
    model::{CommentMode, CommentSort, CommentStatus},
    server::store::{
        CommentRecord, CommentStore, CommentsPage, NewComment, StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    article_id: i64,
    parent_id: Option<i64>,
    root_id: Option<i64>,
    depth: i64,
    reader_id: i64,
    author: String,
    body: String,
    status: CommentStatus,
    held_reason: String,
    featured: bool,
    reply_count: i64,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
}

impl From<CommentRow> for CommentRecord {
    fn from(r: CommentRow) -> Self {
        CommentRecord {
            id: r.id,
            article_id: r.article_id,
            parent_id: r.parent_id,
            root_id: r.root_id.unwrap_or(r.id),
            depth: r.depth,
            reader_id: r.reader_id,
            author: r.author,
            body: r.body,
            status: r.status,
            held_reason: r.held_reason,
            featured: r.featured,
            reply_count: r.reply_count,
            created_at: r.created_at,
            edited_at: r.edited_at,
        }
    }
}

/// A row of `comments_page`: the counts and mode on every row, and a comment unless the
/// article has none on this page.
#[derive(sqlx::FromRow)]
struct PageRow {
    top_total: i64,
    total: i64,
    mode: Option<String>,
    pos: Option<i64>,
    id: Option<i64>,
    article_id: Option<i64>,
    parent_id: Option<i64>,
    root_id: Option<i64>,
    depth: Option<i64>,
    reader_id: Option<i64>,
    author: Option<String>,
    body: Option<String>,
    status: Option<CommentStatus>,
    held_reason: Option<String>,
    featured: Option<bool>,
    reply_count: Option<i64>,
    created_at: Option<DateTime<Utc>>,
    edited_at: Option<DateTime<Utc>>,
}

impl PageRow {
    fn comment(&self) -> Option<CommentRow> {
        Some(CommentRow {
            id: self.id?,
            article_id: self.article_id?,
            parent_id: self.parent_id,
            root_id: self.root_id,
            depth: self.depth?,
            reader_id: self.reader_id?,
            author: self.author.clone()?,
            body: self.body.clone()?,
            status: self.status?,
            held_reason: self.held_reason.clone().unwrap_or_default(),
            featured: self.featured.unwrap_or(false),
            reply_count: self.reply_count.unwrap_or(0),
            created_at: self.created_at?,
            edited_at: self.edited_at,
        })
    }
}

const COMMENT_SELECT: &str =
    "SELECT c.id, c.article_id, c.parent_id, c.root_id, c.depth, c.reader_id,
        CASE WHEN r.display_name = '' THEN 'Reader' ELSE r.display_name END AS author,
        c.body, c.status, c.held_reason, c.featured, c.reply_count, c.created_at, c.edited_at
    FROM comments c JOIN readers r ON r.id = c.reader_id";

impl SqliteStore {
    /// Sets a comment's status on `conn`, keeping the thread's reply count and the author's
    /// trust in step with approvals; returns the comment as it was before.
    async fn apply_status(
        conn: &mut SqliteConnection,
        id: i64,
        status: CommentStatus,
    ) -> StoreResult<Option<CommentRecord>> {
        let before: Option<CommentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{COMMENT_SELECT} WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(before) = before.map(CommentRecord::from) else {
            return Ok(None);
        };
        if before.status == status {
            return Ok(Some(before));
        }
        sqlx::query("UPDATE comments SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        let delta = match (before.status, status) {
            (_, CommentStatus::Approved) => 1,
            (CommentStatus::Approved, _) => -1,
            _ => 0,
        };
        if delta != 0 && before.root_id != before.id {
            sqlx::query("UPDATE comments SET reply_count = MAX(0, reply_count + $1) WHERE id = $2")
                .bind(delta)
                .bind(before.root_id)
                .execute(&mut *conn)
                .await?;
        }
        if delta > 0 {
            sqlx::query("UPDATE readers SET approved_count = approved_count + 1 WHERE id = $1")
                .bind(before.reader_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(Some(before))
    }
}

#[async_trait]
impl CommentStore for SqliteStore {
    async fn approved_count(&self, reader_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT approved_count FROM readers WHERE id = $1")
                .bind(reader_id)
                .fetch_optional(&mut *self.conn().await?)
                .await?
                .unwrap_or(0),
        )
    }

    async fn add_comment(
        &self,
        c: &NewComment,
        max_depth: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        // Replies deeper than the limit attach to the deepest allowed ancestor.
        let (parent_id, root_id, depth) = match c.parent_id {
            None => (None, None, 0),
            Some(pid) => {
                let parent: Option<(i64, Option<i64>, Option<i64>, i64, i64)> = sqlx::query_as(
                    "SELECT id, parent_id, root_id, depth, article_id FROM comments WHERE id = $1",
                )
                .bind(pid)
                .fetch_optional(&mut *tx)
                .await?;
                let (id, grand, root, depth, article) = parent.ok_or(StoreError::NotFound)?;
                if article != c.article_id {
                    return Err(StoreError::NotFound);
                }
                let root = root.unwrap_or(id);
                if depth + 1 > max_depth {
                    (grand.or(Some(id)), Some(root), depth)
                } else {
                    (Some(id), Some(root), depth + 1)
                }
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (article_id, parent_id, root_id, depth, reader_id, body, body_hash,
                 status, held_reason, ip_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(c.article_id)
        .bind(parent_id)
        .bind(root_id)
        .bind(depth)
        .bind(c.reader_id)
        .bind(&c.body)
        .bind(&c.body_hash)
        .bind(c.status)
        .bind(&c.held_reason)
        .bind(&c.ip_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if c.status == CommentStatus::Approved {
            if let Some(root) = root_id {
                sqlx::query("UPDATE comments SET reply_count = reply_count + 1 WHERE id = $1")
                    .bind(root)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE readers SET approved_count = approved_count + 1 WHERE id = $1")
                .bind(c.reader_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn comment(&self, id: i64) -> StoreResult<Option<CommentRecord>> {
        let row: Option<CommentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{COMMENT_SELECT} WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(CommentRecord::from))
    }

    async fn comments_page(
        &self,
        article_id: i64,
        viewer: Option<i64>,
        sort: CommentSort,
        (limit, offset): (u32, u32),
        per_thread: u32,
    ) -> StoreResult<CommentsPage> {
        let order = match sort {
            CommentSort::Newest => "c.featured DESC, c.created_at DESC, c.id DESC",
            CommentSort::Replies => "c.featured DESC, c.reply_count DESC, c.created_at DESC, c.id",
            CommentSort::Oldest => "c.featured DESC, c.created_at ASC, c.id ASC",
        };
        // `meta` always has one row, so an article without comments still gets its counts
        // and mode. Only constant text is formatted in; values are bound.
        let sql = format!(
            "WITH top AS (
                 SELECT c.id, ROW_NUMBER() OVER (ORDER BY {order}) AS pos FROM comments c
                 WHERE c.article_id = $1 AND c.parent_id IS NULL
                   AND (c.status = 'approved' OR (c.status = 'pending' AND c.reader_id = $2))
                 ORDER BY {order} LIMIT $3 OFFSET $4),
             ranked AS (
                 SELECT id, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY created_at, id) AS rn
                 FROM comments WHERE root_id IN (SELECT id FROM top)
                   AND (status = 'approved' OR (status = 'pending' AND reader_id = $2))),
             shown AS (
                 SELECT id, pos FROM top
                 UNION ALL SELECT id, NULL FROM ranked WHERE rn <= $5),
             meta AS (
                 SELECT (SELECT COUNT(*) FROM comments
                         WHERE article_id = $1 AND parent_id IS NULL AND status = 'approved') AS top_total,
                        (SELECT COUNT(*) FROM comments
                         WHERE article_id = $1 AND status = 'approved') AS total,
                        (SELECT mode FROM article_comment_modes WHERE article_id = $1) AS mode)
             SELECT meta.top_total, meta.total, meta.mode, shown.pos,
                    c.id, c.article_id, c.parent_id, c.root_id, c.depth, c.reader_id,
                    CASE WHEN r.display_name = '' THEN 'Reader' ELSE r.display_name END AS author,
                    c.body, c.status, c.held_reason, c.featured, c.reply_count, c.created_at, c.edited_at
             FROM meta LEFT JOIN shown ON 1
             LEFT JOIN comments c ON c.id = shown.id
             LEFT JOIN readers r ON r.id = c.reader_id
             ORDER BY shown.pos IS NULL, shown.pos, c.created_at, c.id"
        );
        let rows: Vec<PageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(article_id)
            .bind(viewer.unwrap_or(-1))
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .bind(i64::from(per_thread))
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let mut page = CommentsPage::default();
        for row in rows {
            page.top_total = row.top_total as u64;
            page.total = row.total as u64;
            page.mode = row.mode.as_deref().and_then(CommentMode::parse);
            if let Some(c) = row.comment() {
                let record = CommentRecord::from(c);
                if row.pos.is_some() {
                    page.top.push(record);
                } else {
                    page.replies.push(record);
                }
            }
        }
        Ok(page)
    }

    async fn thread_page(
        &self,
        root: i64,
        viewer: Option<i64>,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Vec<CommentRecord>> {
        // Only constant text is formatted in; values are bound.
        let rows: Vec<CommentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{COMMENT_SELECT} WHERE c.root_id = $1
               AND (c.status = 'approved' OR (c.status = 'pending' AND c.reader_id = $2))
             ORDER BY c.created_at, c.id LIMIT $3 OFFSET $4"
        )))
        .bind(root)
        .bind(viewer.unwrap_or(-1))
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.into_iter().map(CommentRecord::from).collect())
    }

    async fn comment_count(&self, article_id: i64) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved'",
        )
        .bind(article_id)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(n as u64)
    }

    async fn recent_duplicate(
        &self,
        reader_id: i64,
        body_hash: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments WHERE reader_id = $1 AND body_hash = $2 AND created_at > $3",
        )
        .bind(reader_id)
        .bind(body_hash)
        .bind(since)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(n > 0)
    }

    async fn set_comment_status(
        &self,
        id: i64,
        status: CommentStatus,
    ) -> StoreResult<Option<CommentRecord>> {
        let mut tx = self.write_tx().await?;
        let before = Self::apply_status(&mut tx, id, status).await?;
        tx.commit().await?;
        Ok(before)
    }

    async fn edit_comment(
        &self,
        id: i64,
        body: &str,
        body_hash: &str,
        (status, held_reason): (CommentStatus, &str),
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CommentRecord>> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE comments SET body = $1, body_hash = $2, edited_at = $3, held_reason = $4
             WHERE id = $5 AND status IN ('approved', 'pending')",
        )
        .bind(body)
        .bind(body_hash)
        .bind(now)
        .bind(held_reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Gone, rejected or deleted since the author opened it: nothing to edit.
            return Ok(None);
        }
        let before = Self::apply_status(&mut tx, id, status).await?;
        tx.commit().await?;
        Ok(before)
    }
}
