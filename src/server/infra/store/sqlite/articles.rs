//! Articles, listings and full-text search on SQLite (FTS5).

use super::{
    SqliteStore,
    content::{AuthorRow, image_from_parts},
    from_json,
};
use crate::{
    model::{
        Article, ArticleCard, ArticleStatus, Author, AuthorRef, Hero, SectionRef, TagRef,
        read_minutes,
    },
    server::store::{ArticleStore, ArticleWrite, Listing, SlugRedirect, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

#[derive(sqlx::FromRow)]
pub(super) struct CardRow {
    pub(super) id: i64,
    slug: String,
    title: String,
    dek: String,
    published_at: Option<DateTime<Utc>>,
    word_count: i64,
    section_slug: String,
    section_title: String,
    hero_alt: String,
    hero_caption: String,
    hero_credit: String,
    image_id: Option<i64>,
    image_key: Option<String>,
    image_width: Option<i64>,
    image_height: Option<i64>,
    image_widths: Option<String>,
    comment_count: i64,
    authors_json: String,
}

/// The joined image columns of a row: id, key, width, height, widths.
type ImageColumns = (
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

fn hero(image: ImageColumns, alt: String, caption: String, credit: String) -> Option<Hero> {
    match image {
        (Some(id), Some(key), Some(w), Some(h), widths) => Some(Hero {
            image: image_from_parts(id, key, w, h, widths.as_deref().unwrap_or_default()),
            alt,
            caption,
            credit,
        }),
        _ => None,
    }
}

impl TryFrom<CardRow> for ArticleCard {
    type Error = StoreError;
    fn try_from(r: CardRow) -> StoreResult<Self> {
        let authors: Vec<(String, String)> = from_json("authors_json", &r.authors_json)?;
        Ok(ArticleCard {
            id: r.id,
            slug: r.slug,
            title: r.title,
            dek: r.dek,
            section: SectionRef {
                slug: r.section_slug,
                title: r.section_title,
            },
            hero: hero(
                (
                    r.image_id,
                    r.image_key,
                    r.image_width,
                    r.image_height,
                    r.image_widths,
                ),
                r.hero_alt,
                r.hero_caption,
                r.hero_credit,
            ),
            published_at: r.published_at,
            authors: authors
                .into_iter()
                .map(|(slug, name)| AuthorRef { slug, name })
                .collect(),
            read_minutes: read_minutes(r.word_count as u32),
            comment_count: r.comment_count,
        })
    }
}

/// Cards from their rows.
pub(super) fn cards(rows: Vec<CardRow>) -> StoreResult<Vec<ArticleCard>> {
    rows.into_iter().map(ArticleCard::try_from).collect()
}

#[derive(sqlx::FromRow)]
pub(super) struct ArticleRow {
    id: i64,
    slug: String,
    title: String,
    dek: String,
    body_md: String,
    body_html: String,
    word_count: i64,
    section_slug: String,
    section_title: String,
    hero_alt: String,
    hero_caption: String,
    hero_credit: String,
    image_id: Option<i64>,
    image_key: Option<String>,
    image_width: Option<i64>,
    image_height: Option<i64>,
    image_widths: Option<String>,
    status: String,
    editors_pick: bool,
    published_at: Option<DateTime<Utc>>,
    revised_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    tags_json: String,
    authors_json: String,
}

pub(super) const ARTICLE_SELECT: &str = concat!(
    "SELECT a.id, a.slug, a.title, a.dek, a.body_md, a.body_html, a.word_count, \
     s.slug AS section_slug, s.title AS section_title, a.hero_alt, a.hero_caption, a.hero_credit, \
     i.id AS image_id, i.key AS image_key, i.width AS image_width, i.height AS image_height, \
     i.widths AS image_widths, a.status, a.editors_pick, a.published_at, a.revised_at, \
     a.created_at, a.updated_at, a.version, \
     (SELECT json_group_array(json_array(t.slug, t.name) ORDER BY at.position) \
        FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id) \
        AS tags_json, \
     (SELECT json_group_array(json_object('id', au.id, 'slug', au.slug, 'name', au.name, \
        'role_title', au.role_title, 'bio', au.bio, 'photo_id', p.id, 'photo_key', p.key, \
        'photo_width', p.width, 'photo_height', p.height, 'photo_widths', p.widths) \
        ORDER BY aa.position) \
        FROM article_authors aa JOIN authors au ON au.id = aa.author_id \
        LEFT JOIN images p ON p.id = au.photo_id WHERE aa.article_id = a.id) AS authors_json",
    card_from!()
);

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;
    /// An article with its tags and bylines, all from the one row.
    fn try_from(row: ArticleRow) -> StoreResult<Self> {
        let tags: Vec<(String, String)> = from_json("tags_json", &row.tags_json)?;
        let tags: Vec<TagRef> = tags
            .into_iter()
            .map(|(slug, name)| TagRef { slug, name })
            .collect();
        let authors: Vec<AuthorRow> = from_json("authors_json", &row.authors_json)?;
        Ok(Article {
            id: row.id,
            slug: row.slug,
            title: row.title,
            dek: row.dek,
            body_md: row.body_md,
            body_html: row.body_html,
            section: SectionRef {
                slug: row.section_slug,
                title: row.section_title,
            },
            hero: hero(
                (
                    row.image_id,
                    row.image_key,
                    row.image_width,
                    row.image_height,
                    row.image_widths,
                ),
                row.hero_alt,
                row.hero_caption,
                row.hero_credit,
            ),
            tags,
            authors: authors.into_iter().map(Author::from).collect(),
            status: ArticleStatus::parse(&row.status).unwrap_or(ArticleStatus::Draft),
            editors_pick: row.editors_pick,
            published_at: row.published_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            revised_at: row.revised_at,
            word_count: row.word_count as u32,
            version: row.version,
        })
    }
}

impl SqliteStore {
    async fn write_relations(
        conn: &mut SqliteConnection,
        id: i64,
        a: &ArticleWrite,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for (pos, tag) in a.tag_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(tag)
            .bind(pos as i64)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("DELETE FROM article_authors WHERE article_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for (pos, author) in a.author_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(author)
            .bind(pos as i64)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("DELETE FROM article_search WHERE rowid = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO article_search (rowid, title, dek, body) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&a.title)
            .bind(&a.dek)
            .bind(&a.body_text)
            .execute(&mut *conn)
            .await?;
        // A slug in use by an article is no longer anybody's old slug, nor gone.
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
            .bind(&a.slug)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM gone_articles WHERE slug = $1")
            .bind(&a.slug)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

type ScalarQuery<'q> =
    sqlx::query::QueryScalar<'q, Sqlite, i64, <Sqlite as sqlx::Database>::Arguments>;

/// Binds an article's columns as `$1`..`$16`, in the order both INSERT and UPDATE use.
fn bind_article<'q>(q: ScalarQuery<'q>, a: &'q ArticleWrite) -> ScalarQuery<'q> {
    q.bind(&a.slug)
        .bind(&a.title)
        .bind(&a.dek)
        .bind(&a.body_md)
        .bind(&a.body_html)
        .bind(&a.body_text)
        .bind(a.word_count as i64)
        .bind(a.section_id)
        .bind(a.hero_image_id)
        .bind(&a.hero_alt)
        .bind(&a.hero_caption)
        .bind(&a.hero_credit)
        .bind(a.status.as_str())
        .bind(a.editors_pick)
        .bind(a.published_at)
        .bind(a.revised_at)
}

pub(super) fn push_listing_filter(qb: &mut QueryBuilder<Sqlite>, listing: Listing) {
    qb.push(" WHERE a.status = 'published'");
    match listing {
        Listing::Latest => {}
        Listing::Section(id) => {
            qb.push(" AND a.section_id = ").push_bind(id);
        }
        Listing::Tag(id) => {
            qb.push(" AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ")
                .push_bind(id)
                .push(")");
        }
        Listing::Author(id) => {
            qb.push(" AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ")
                .push_bind(id)
                .push(")");
        }
        Listing::EditorsPicks => {
            qb.push(" AND a.editors_pick = TRUE");
        }
    }
}

#[async_trait]
impl ArticleStore for SqliteStore {
    async fn create_article(&self, a: &ArticleWrite, now: DateTime<Utc>) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        let id: i64 = bind_article(
            sqlx::query_scalar(
                "INSERT INTO articles (slug, title, dek, body_md, body_html, body_text, word_count,
                     section_id, hero_image_id, hero_alt, hero_caption, hero_credit, status,
                     editors_pick, published_at, revised_at, created_at, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $17, 1)
                 RETURNING id",
            ),
            a,
        )
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::classify)?;
        Self::write_relations(&mut tx, id, a).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_article(
        &self,
        id: i64,
        expected_version: i64,
        a: &ArticleWrite,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        let current: Option<(String, i64)> =
            sqlx::query_as("SELECT slug, version FROM articles WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (old_slug, version) = current.ok_or(StoreError::NotFound)?;
        if version != expected_version {
            return Err(StoreError::Stale);
        }
        let new_version: i64 = bind_article(
            sqlx::query_scalar(
                "UPDATE articles SET slug = $1, title = $2, dek = $3, body_md = $4, body_html = $5,
                     body_text = $6, word_count = $7, section_id = $8, hero_image_id = $9,
                     hero_alt = $10, hero_caption = $11, hero_credit = $12, status = $13,
                     editors_pick = $14, published_at = $15, revised_at = $16, updated_at = $17,
                     version = version + 1
                 WHERE id = $18 AND version = $19
                 RETURNING version",
            ),
            a,
        )
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::classify)?;
        if old_slug != a.slug {
            sqlx::query(
                "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2)
                 ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id",
            )
            .bind(&old_slug)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        Self::write_relations(&mut tx, id, a).await?;
        tx.commit().await?;
        Ok(new_version)
    }

    async fn article_by_slug(&self, slug: &str) -> StoreResult<Option<Article>> {
        let row: Option<ArticleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ARTICLE_SELECT} WHERE a.slug = $1"
        )))
        .bind(slug)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        match row {
            Some(r) => Ok(Some(Article::try_from(r)?)),
            None => Ok(None),
        }
    }

    async fn article_by_id(&self, id: i64) -> StoreResult<Option<Article>> {
        let row: Option<ArticleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ARTICLE_SELECT} WHERE a.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        match row {
            Some(r) => Ok(Some(Article::try_from(r)?)),
            None => Ok(None),
        }
    }

    async fn slug_redirect(&self, old_slug: &str) -> StoreResult<Option<SlugRedirect>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT s.slug, a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id
             JOIN sections s ON s.id = a.section_id WHERE r.old_slug = $1",
        )
        .bind(old_slug)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(|(section_slug, slug)| SlugRedirect { section_slug, slug }))
    }

    async fn publish_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "UPDATE articles SET status = 'published', updated_at = $1, version = version + 1
             WHERE status = 'scheduled' AND published_at <= $1 RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn article_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(n as u64)
    }
}
