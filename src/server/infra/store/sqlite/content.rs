//! Settings, sections, tags, authors, images and static pages on SQLite.

use super::SqliteStore;
use crate::{
    model::{Author, Image, Page, Section, TagRef},
    server::store::{AuthorInput, ContentStore, ImageInput, SectionInput, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
pub(super) struct ImageRow {
    pub id: i64,
    pub key: String,
    pub width: i64,
    pub height: i64,
    pub widths: String,
}

impl From<ImageRow> for Image {
    fn from(r: ImageRow) -> Self {
        image_from_parts(r.id, r.key, r.width, r.height, &r.widths)
    }
}

/// Builds an image from its stored columns (`widths` is comma-separated).
pub(super) fn image_from_parts(
    id: i64,
    key: String,
    width: i64,
    height: i64,
    widths: &str,
) -> Image {
    Image {
        id,
        key,
        width: width as u32,
        height: height as u32,
        widths: widths
            .split(',')
            .filter_map(|w| w.trim().parse().ok())
            .collect(),
    }
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(super) struct AuthorRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub role_title: String,
    pub bio: String,
    pub photo_id: Option<i64>,
    pub photo_key: Option<String>,
    pub photo_width: Option<i64>,
    pub photo_height: Option<i64>,
    pub photo_widths: Option<String>,
}

impl From<AuthorRow> for Author {
    fn from(r: AuthorRow) -> Self {
        let photo = match (r.photo_id, r.photo_key, r.photo_width, r.photo_height) {
            (Some(id), Some(key), Some(w), Some(h)) => Some(image_from_parts(
                id,
                key,
                w,
                h,
                r.photo_widths.as_deref().unwrap_or_default(),
            )),
            _ => None,
        };
        Author {
            id: r.id,
            slug: r.slug,
            name: r.name,
            role_title: r.role_title,
            bio: r.bio,
            photo,
        }
    }
}

/// Columns of an author with their photo; used with `FROM authors au LEFT JOIN images p`.
macro_rules! author_columns {
    () => {
        "au.id, au.slug, au.name, au.role_title, au.bio, p.id AS photo_id, p.key AS photo_key, \
         p.width AS photo_width, p.height AS photo_height, p.widths AS photo_widths"
    };
}

#[derive(sqlx::FromRow)]
struct PageRow {
    slug: String,
    title: String,
    body_html: String,
    updated_at: DateTime<Utc>,
}

impl From<PageRow> for Page {
    fn from(r: PageRow) -> Self {
        Page {
            slug: r.slug,
            title: r.title,
            body_html: r.body_html,
            updated_at: r.updated_at,
        }
    }
}

#[async_trait]
impl ContentStore for SqliteStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *self.conn().await?)
        .await?;
        self.setting(key).await?.ok_or(StoreError::NotFound)
    }

    async fn sync_sections(&self, sections: &[SectionInput]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for s in sections {
            sqlx::query(
                "INSERT INTO sections (slug, title, description, position) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (slug) DO UPDATE
                 SET title = excluded.title, description = excluded.description,
                     position = excluded.position",
            )
            .bind(&s.slug)
            .bind(&s.title)
            .bind(&s.description)
            .bind(s.position)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn sections(&self) -> StoreResult<Vec<Section>> {
        Ok(sqlx::query_as(
            "SELECT id, slug, title, description, position FROM sections ORDER BY position, id",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn ensure_tag(&self, slug: &str, name: &str) -> StoreResult<i64> {
        sqlx::query("INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
            .bind(slug)
            .bind(name)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(sqlx::query_scalar("SELECT id FROM tags WHERE slug = $1")
            .bind(slug)
            .fetch_one(&mut *self.conn().await?)
            .await?)
    }

    async fn tag_by_slug(&self, slug: &str) -> StoreResult<Option<(i64, TagRef)>> {
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT id, slug, name FROM tags WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(row.map(|(id, slug, name)| (id, TagRef { slug, name })))
    }

    async fn used_tags(&self) -> StoreResult<Vec<TagRef>> {
        Ok(sqlx::query_as(
            "SELECT t.slug, t.name FROM tags t WHERE EXISTS (
                 SELECT 1 FROM article_tags at JOIN articles a ON a.id = at.article_id
                 WHERE at.tag_id = t.id AND a.status = 'published')
             ORDER BY t.slug",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn create_author(&self, a: &AuthorInput) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO authors (slug, name, role_title, bio, photo_id) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(&a.slug)
        .bind(&a.name)
        .bind(&a.role_title)
        .bind(&a.bio)
        .bind(a.photo_id)
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(StoreError::classify)
    }

    async fn authors(&self) -> StoreResult<Vec<Author>> {
        let rows: Vec<AuthorRow> = sqlx::query_as(concat!(
            "SELECT ",
            author_columns!(),
            " FROM authors au LEFT JOIN images p ON p.id = au.photo_id ORDER BY au.name"
        ))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.into_iter().map(Author::from).collect())
    }

    async fn author_by_slug(&self, slug: &str) -> StoreResult<Option<Author>> {
        let row: Option<AuthorRow> = sqlx::query_as(concat!(
            "SELECT ",
            author_columns!(),
            " FROM authors au LEFT JOIN images p ON p.id = au.photo_id WHERE au.slug = $1"
        ))
        .bind(slug)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(Author::from))
    }

    async fn insert_image(&self, image: &ImageInput, now: DateTime<Utc>) -> StoreResult<Image> {
        let widths = image
            .widths
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "INSERT INTO images (key, width, height, widths, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(&image.key)
        .bind(image.width as i64)
        .bind(image.height as i64)
        .bind(widths)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        let row: ImageRow =
            sqlx::query_as("SELECT id, key, width, height, widths FROM images WHERE key = $1")
                .bind(&image.key)
                .fetch_one(&mut *self.conn().await?)
                .await?;
        Ok(row.into())
    }

    async fn image(&self, id: i64) -> StoreResult<Option<Image>> {
        let row: Option<ImageRow> =
            sqlx::query_as("SELECT id, key, width, height, widths FROM images WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(row.map(Image::from))
    }

    async fn upsert_page(
        &self,
        slug: &str,
        title: &str,
        body_md: &str,
        body_html: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pages (slug, title, body_md, body_html, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (slug) DO UPDATE SET title = excluded.title, body_md = excluded.body_md,
                 body_html = excluded.body_html, updated_at = excluded.updated_at",
        )
        .bind(slug)
        .bind(title)
        .bind(body_md)
        .bind(body_html)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn page_by_slug(&self, slug: &str) -> StoreResult<Option<Page>> {
        let row: Option<PageRow> =
            sqlx::query_as("SELECT slug, title, body_html, updated_at FROM pages WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(row.map(Page::from))
    }

    async fn pages(&self) -> StoreResult<Vec<Page>> {
        let rows: Vec<PageRow> =
            sqlx::query_as("SELECT slug, title, body_html, updated_at FROM pages ORDER BY title")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        Ok(rows.into_iter().map(Page::from).collect())
    }
}
