//! Editor lists, revisions, autosaves, the audit log and deletions on SQLite.

use super::SqliteStore;
use crate::{
    model::{
        ArticleFilter, ArticleStatus, AuditAction, AuditEntry, AuditTarget, EditorArticleRow,
        RevisionSummary,
    },
    server::store::{
        ArticleWrite, AuditInput, AuditStore, EditorialStore, RevisionRecord, StoreError,
        StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

#[derive(sqlx::FromRow)]
struct RowOut {
    id: i64,
    slug: String,
    title: String,
    status: String,
    section_slug: String,
    section_title: String,
    authors: String,
    published_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, f: &ArticleFilter) {
    qb.push(" WHERE 1 = 1");
    if let Some(s) = f.status {
        qb.push(" AND a.status = ").push_bind(s.as_str());
    }
    if let Some(section) = &f.section {
        qb.push(" AND s.slug = ").push_bind(section.clone());
    }
    if let Some(author) = &f.author {
        qb.push(
            " AND a.id IN (SELECT aa.article_id FROM article_authors aa \
             JOIN authors au ON au.id = aa.author_id WHERE au.slug = ",
        )
        .push_bind(author.clone())
        .push(")");
    }
    let q = f.q.trim();
    if !q.is_empty() {
        let pattern = like_pattern(q);
        qb.push(" AND (a.title LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR a.slug LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: i64,
    article_id: i64,
    version: i64,
    slug: String,
    title: String,
    dek: String,
    body_md: String,
    section_id: i64,
    status: String,
    editors_pick: bool,
    hero_image_id: Option<i64>,
    hero_alt: String,
    hero_caption: String,
    hero_credit: String,
    tags: String,
    author_ids: String,
    editor_name: String,
    created_at: DateTime<Utc>,
}

#[async_trait]
impl EditorialStore for SqliteStore {
    async fn editor_articles(
        &self,
        filter: &ArticleFilter,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<EditorArticleRow>, u64)> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT a.id, a.slug, a.title, a.status, s.slug AS section_slug,
                 s.title AS section_title,
                 COALESCE((SELECT group_concat(au.name, ', ') FROM article_authors aa
                     JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id), '')
                     AS authors,
                 a.published_at, a.updated_at
             FROM articles a JOIN sections s ON s.id = a.section_id",
        );
        push_filter(&mut qb, filter);
        qb.push(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ")
            .push_bind(limit as i64)
            .push(" OFFSET ")
            .push_bind(offset as i64);
        let rows: Vec<RowOut> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let mut count: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT COUNT(*) FROM articles a JOIN sections s ON s.id = a.section_id",
        );
        push_filter(&mut count, filter);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok((
            rows.into_iter()
                .map(|r| EditorArticleRow {
                    id: r.id,
                    slug: r.slug,
                    title: r.title,
                    status: ArticleStatus::parse(&r.status).unwrap_or(ArticleStatus::Draft),
                    section_slug: r.section_slug,
                    section_title: r.section_title,
                    authors: r.authors,
                    published_at: r.published_at,
                    updated_at: r.updated_at,
                })
                .collect(),
            total as u64,
        ))
    }

    async fn add_revision(
        &self,
        article_id: i64,
        version: i64,
        a: &ArticleWrite,
        tags: &str,
        editor: (Option<i64>, &str),
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let author_ids = a
            .author_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        Ok(sqlx::query_scalar(
            "INSERT INTO revisions (article_id, version, slug, title, dek, body_md, section_id,
                 status, editors_pick, hero_image_id, hero_alt, hero_caption, hero_credit, tags,
                 author_ids, editor_id, editor_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18)
             RETURNING id",
        )
        .bind(article_id)
        .bind(version)
        .bind(&a.slug)
        .bind(&a.title)
        .bind(&a.dek)
        .bind(&a.body_md)
        .bind(a.section_id)
        .bind(a.status.as_str())
        .bind(a.editors_pick)
        .bind(a.hero_image_id)
        .bind(&a.hero_alt)
        .bind(&a.hero_caption)
        .bind(&a.hero_credit)
        .bind(tags)
        .bind(author_ids)
        .bind(editor.0)
        .bind(editor.1)
        .bind(now)
        .fetch_one(&mut *self.conn().await?)
        .await?)
    }

    async fn revisions(&self, article_id: i64) -> StoreResult<Vec<RevisionSummary>> {
        let rows: Vec<(i64, i64, String, String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, version, title, status, editor_name, created_at FROM revisions
             WHERE article_id = $1 ORDER BY version DESC, id DESC",
        )
        .bind(article_id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, version, title, status, editor_name, created_at)| RevisionSummary {
                    id,
                    version,
                    title,
                    status: ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft),
                    editor_name,
                    created_at,
                },
            )
            .collect())
    }

    async fn revision(&self, id: i64) -> StoreResult<Option<RevisionRecord>> {
        let row: Option<RevisionRow> = sqlx::query_as(
            "SELECT id, article_id, version, slug, title, dek, body_md, section_id, status,
                 editors_pick, hero_image_id, hero_alt, hero_caption, hero_credit, tags,
                 author_ids, editor_name, created_at
             FROM revisions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(|r| RevisionRecord {
            summary: RevisionSummary {
                id: r.id,
                version: r.version,
                title: r.title,
                status: ArticleStatus::parse(&r.status).unwrap_or(ArticleStatus::Draft),
                editor_name: r.editor_name,
                created_at: r.created_at,
            },
            article_id: r.article_id,
            slug: r.slug,
            dek: r.dek,
            body_md: r.body_md,
            section_id: r.section_id,
            editors_pick: r.editors_pick,
            hero_image_id: r.hero_image_id,
            hero_alt: r.hero_alt,
            hero_caption: r.hero_caption,
            hero_credit: r.hero_credit,
            tags: r.tags,
            author_ids: r
                .author_ids
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
        }))
    }

    async fn put_autosave(
        &self,
        article_id: i64,
        user_id: i64,
        data: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO autosaves (article_id, user_id, data, saved_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (article_id, user_id) DO UPDATE
             SET data = excluded.data, saved_at = excluded.saved_at",
        )
        .bind(article_id)
        .bind(user_id)
        .bind(data)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn autosave(
        &self,
        article_id: i64,
        user_id: i64,
    ) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        Ok(sqlx::query_as(
            "SELECT data, saved_at FROM autosaves WHERE article_id = $1 AND user_id = $2",
        )
        .bind(article_id)
        .bind(user_id)
        .fetch_optional(&mut *self.conn().await?)
        .await?)
    }

    async fn delete_autosave(&self, article_id: i64, user_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM autosaves WHERE article_id = $1 AND user_id = $2")
            .bind(article_id)
            .bind(user_id)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn delete_article(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let found: Option<(String, String)> =
            sqlx::query_as("SELECT slug, title FROM articles WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (slug, title) = found.ok_or(StoreError::NotFound)?;
        // The current slug and every old one answer 410 from now on.
        sqlx::query(
            "INSERT INTO gone_articles (slug, title, deleted_at)
             SELECT old_slug, $2, $3 FROM slug_redirects WHERE article_id = $1
             ON CONFLICT (slug) DO UPDATE SET deleted_at = excluded.deleted_at",
        )
        .bind(id)
        .bind(&title)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO gone_articles (slug, title, deleted_at) VALUES ($1, $2, $3)
             ON CONFLICT (slug) DO UPDATE SET deleted_at = excluded.deleted_at",
        )
        .bind(&slug)
        .bind(&title)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM article_search WHERE rowid = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM autosaves WHERE article_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM articles WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn is_gone(&self, slug: &str) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM gone_articles WHERE slug = $1")
            .bind(slug)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(n > 0)
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn audit(&self, e: &AuditInput<'_>, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (actor_id, actor_name, action, target_type, target_id, detail,
                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.actor_id)
        .bind(e.actor_name)
        .bind(e.action)
        .bind(e.target_type)
        .bind(e.target_id)
        .bind(&e.detail)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn audit_log(&self, limit: u32, offset: u32) -> StoreResult<(Vec<AuditEntry>, u64)> {
        let rows: Vec<(
            String,
            AuditAction,
            AuditTarget,
            Option<i64>,
            String,
            DateTime<Utc>,
        )> = sqlx::query_as(
            "SELECT actor_name, action, target_type, target_id, detail, created_at
                 FROM audit_log ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
        )
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok((
            rows.into_iter()
                .map(
                    |(actor_name, action, target_type, target_id, detail, created_at)| AuditEntry {
                        actor_name,
                        action,
                        target_type,
                        target_id,
                        detail,
                        created_at,
                    },
                )
                .collect(),
            total as u64,
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
