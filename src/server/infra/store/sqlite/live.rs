//! The News Feed and the live event log on SQLite.

use super::{SqliteStore, from_json};
use crate::{
    model::{ArticleStatus, Channel, FeedItem, LinkedArticle, LiveKind, SectionRef, TagRef},
    server::store::{
        FeedItemWrite, FeedQuery, LiveEventRecord, LiveLog, NewsFeedStore, StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    headline: String,
    body_md: String,
    body_html: String,
    article_title: Option<String>,
    article_slug: Option<String>,
    article_section: Option<String>,
    article_status: Option<String>,
    section_slug: Option<String>,
    section_title: Option<String>,
    key_event: bool,
    pinned: bool,
    breaking: bool,
    author_name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    edited: bool,
    deleted_at: Option<DateTime<Utc>>,
    tags_json: String,
}

const ITEM_SELECT: &str = "SELECT f.id, f.headline, f.body_md, f.body_html,
        a.title AS article_title, a.slug AS article_slug, asec.slug AS article_section,
        a.status AS article_status, s.slug AS section_slug, s.title AS section_title,
        f.key_event, f.pinned, f.breaking, f.author_name, f.created_at, f.updated_at, f.edited,
        f.deleted_at,
        (SELECT json_group_array(json_array(t.slug, t.name) ORDER BY t.name)
           FROM feed_item_tags ft JOIN tags t ON t.id = ft.tag_id WHERE ft.item_id = f.id)
           AS tags_json
    FROM feed_items f
    LEFT JOIN articles a ON a.id = f.article_id
    LEFT JOIN sections asec ON asec.id = a.section_id
    LEFT JOIN sections s ON s.id = f.section_id";

impl TryFrom<ItemRow> for FeedItem {
    type Error = StoreError;
    /// An item with its tags (by name), all from the one row.
    fn try_from(r: ItemRow) -> StoreResult<Self> {
        let tags: Vec<(String, String)> = from_json("tags_json", &r.tags_json)?;
        let article = match (
            r.article_title,
            r.article_slug,
            r.article_section,
            r.article_status,
        ) {
            // Only a published article is linked for readers.
            (Some(title), Some(slug), Some(section), Some(status))
                if ArticleStatus::parse(&status) == Some(ArticleStatus::Published) =>
            {
                Some(LinkedArticle {
                    title,
                    href: crate::model::article_path(&section, &slug),
                })
            }
            _ => None,
        };
        let section = match (r.section_slug, r.section_title) {
            (Some(slug), Some(title)) => Some(SectionRef { slug, title }),
            _ => None,
        };
        Ok(FeedItem {
            id: r.id,
            headline: r.headline,
            body_md: r.body_md,
            body_html: r.body_html,
            article,
            section,
            tags: tags
                .into_iter()
                .map(|(slug, name)| TagRef { slug, name })
                .collect(),
            key_event: r.key_event,
            pinned: r.pinned,
            breaking: r.breaking,
            author_name: r.author_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            edited: r.edited,
            deleted: r.deleted_at.is_some(),
        })
    }
}

/// A logged event. Channels are written only from [`Channel::name`], so one that does not parse
/// is a corrupt row and is skipped (logged) rather than stopping every stream.
fn event_record(
    (id, channel, kind, target_id): (i64, String, LiveKind, i64),
) -> Option<LiveEventRecord> {
    match channel.parse::<Channel>() {
        Ok(channel) => Some(LiveEventRecord {
            id,
            channel,
            kind,
            target_id,
        }),
        Err(e) => {
            tracing::error!(id, error = %e, "skipping a live event with an unknown channel");
            None
        }
    }
}

impl SqliteStore {
    async fn set_item_tags(conn: &mut SqliteConnection, id: i64, tags: &[i64]) -> StoreResult<()> {
        sqlx::query("DELETE FROM feed_item_tags WHERE item_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for t in tags {
            sqlx::query(
                "INSERT INTO feed_item_tags (item_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn log_event(
        conn: &mut SqliteConnection,
        channel: Channel,
        kind: LiveKind,
        target: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO live_events (channel, kind, target_id, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(channel.name())
        .bind(kind)
        .bind(target)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?)
    }
}

#[async_trait]
impl NewsFeedStore for SqliteStore {
    async fn create_feed_item(
        &self,
        item: &FeedItemWrite,
        author: (i64, &str),
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, i64)> {
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO feed_items (headline, body_md, body_html, article_id, section_id,
                 key_event, pinned, breaking, author_id, author_name, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(&item.headline)
        .bind(&item.body_md)
        .bind(&item.body_html)
        .bind(item.article_id)
        .bind(item.section_id)
        .bind(item.key_event)
        .bind(item.pinned)
        .bind(item.breaking)
        .bind(author.0)
        .bind(author.1)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        Self::set_item_tags(&mut tx, id, &item.tag_ids).await?;
        let event = Self::log_event(&mut tx, Channel::NewsFeed, LiveKind::Upsert, id, now).await?;
        tx.commit().await?;
        Ok((id, event))
    }

    async fn update_feed_item(
        &self,
        id: i64,
        item: &FeedItemWrite,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE feed_items SET headline = $1, body_md = $2, body_html = $3, article_id = $4,
                 section_id = $5, key_event = $6, pinned = $7, breaking = $8, updated_at = $9,
                 edited = TRUE
             WHERE id = $10 AND deleted_at IS NULL",
        )
        .bind(&item.headline)
        .bind(&item.body_md)
        .bind(&item.body_html)
        .bind(item.article_id)
        .bind(item.section_id)
        .bind(item.key_event)
        .bind(item.pinned)
        .bind(item.breaking)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::set_item_tags(&mut tx, id, &item.tag_ids).await?;
        let event = Self::log_event(&mut tx, Channel::NewsFeed, LiveKind::Upsert, id, now).await?;
        tx.commit().await?;
        Ok(event)
    }

    async fn delete_feed_item(&self, id: i64, now: DateTime<Utc>) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE feed_items SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let event = Self::log_event(&mut tx, Channel::NewsFeed, LiveKind::Delete, id, now).await?;
        tx.commit().await?;
        Ok(event)
    }

    async fn feed_item(&self, id: i64) -> StoreResult<Option<FeedItem>> {
        let row: Option<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} WHERE f.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.map(FeedItem::try_from).transpose()
    }

    async fn feed_items(&self, q: FeedQuery) -> StoreResult<Vec<FeedItem>> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(ITEM_SELECT);
        qb.push(" WHERE f.deleted_at IS NULL");
        if let Some(before) = q.before {
            qb.push(" AND f.id < ").push_bind(before);
        }
        if q.key_events_only {
            qb.push(" AND f.key_event = TRUE");
        }
        // Pinned items lead the first page only.
        if q.before.is_none() {
            qb.push(" ORDER BY f.pinned DESC, f.id DESC");
        } else {
            qb.push(" ORDER BY f.id DESC");
        }
        qb.push(" LIMIT ").push_bind(q.limit as i64);
        let rows: Vec<ItemRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.into_iter().map(FeedItem::try_from).collect()
    }
}

#[async_trait]
impl LiveLog for SqliteStore {
    async fn live_events_after(
        &self,
        channel: Channel,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<LiveEventRecord>> {
        let rows: Vec<(i64, String, LiveKind, i64)> = sqlx::query_as(
            "SELECT id, channel, kind, target_id FROM live_events
             WHERE channel = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(channel.name())
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.into_iter().filter_map(event_record).collect())
    }

    async fn all_live_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<LiveEventRecord>> {
        let rows: Vec<(i64, String, LiveKind, i64)> = sqlx::query_as(
            "SELECT id, channel, kind, target_id FROM live_events WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.into_iter().filter_map(event_record).collect())
    }

    async fn next_live_event_id(&self, after: i64) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(id) FROM live_events WHERE id > $1")
                .bind(after)
                .fetch_one(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn last_live_event_id(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM live_events")
                .fetch_one(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn log_live_event(
        &self,
        channel: Channel,
        kind: LiveKind,
        target_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        Self::log_event(&mut conn, channel, kind, target_id, now).await
    }
}
