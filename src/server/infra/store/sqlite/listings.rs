//! Listings, full-text search (FTS5), sitemaps and feeds of published articles on SQLite.

use super::{
    SqliteStore,
    articles::{ARTICLE_SELECT, ArticleRow, CardRow, cards, push_listing_filter},
};
use crate::{
    model::{Article, ArticleCard},
    server::store::{Listing, ListingStore, SearchHit, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};
use std::collections::HashMap;

/// Turns a reader's words into an FTS5 query: every word must match, the last one as a prefix.
/// Quoting each token makes FTS5 operators in the input inert.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let tokens: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(12)
        .map(|t| t.to_lowercase())
        .collect();
    let (last, rest) = tokens.split_last()?;
    let mut q: Vec<String> = rest.iter().map(|t| format!("\"{t}\"")).collect();
    q.push(format!("\"{last}\"*"));
    Some(q.join(" "))
}

/// Escapes FTS5 output for HTML and turns its private-use markers into `<mark>`.
fn marked_html(fragment: &str) -> String {
    crate::server::text::escape_html(fragment)
        .replace('\u{E000}', "<mark>")
        .replace('\u{E001}', "</mark>")
}

#[async_trait]
impl ListingStore for SqliteStore {
    async fn published(
        &self,
        listing: Listing,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Vec<ArticleCard>> {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new(concat!("SELECT ", card_columns!(), card_from!()));
        push_listing_filter(&mut qb, listing);
        qb.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ")
            .push_bind(limit as i64)
            .push(" OFFSET ")
            .push_bind(offset as i64);
        let rows: Vec<CardRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        cards(rows)
    }

    async fn published_by_slugs(&self, slugs: &[String]) -> StoreResult<Vec<ArticleCard>> {
        if slugs.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new(concat!("SELECT ", card_columns!(), card_from!()));
        push_listing_filter(&mut qb, Listing::Latest);
        qb.push(" AND a.slug IN (");
        let mut sep = qb.separated(", ");
        for s in slugs {
            sep.push_bind(s.clone());
        }
        qb.push(")");
        let rows: Vec<CardRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        cards(rows)
    }

    async fn published_page(
        &self,
        listing: Listing,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<ArticleCard>, u64)> {
        #[derive(sqlx::FromRow)]
        struct PagedRow {
            listing_total: i64,
            #[sqlx(flatten)]
            card: CardRow,
        }
        // The count rides along as a window over the same rows (one statement).
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(concat!(
            "SELECT COUNT(*) OVER () AS listing_total, ",
            card_columns!(),
            card_from!()
        ));
        push_listing_filter(&mut qb, listing);
        qb.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ")
            .push_bind(limit as i64)
            .push(" OFFSET ")
            .push_bind(offset as i64);
        let rows: Vec<PagedRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let total = match rows.first() {
            Some(r) => r.listing_total as u64,
            // Past the end (or an empty listing): no row carries the count.
            None if offset == 0 => 0,
            None => {
                let mut count: QueryBuilder<Sqlite> =
                    QueryBuilder::new("SELECT COUNT(*) FROM articles a");
                push_listing_filter(&mut count, listing);
                let n: i64 = count
                    .build_query_scalar()
                    .fetch_one(&mut *self.conn().await?)
                    .await?;
                n as u64
            }
        };
        Ok((cards(rows.into_iter().map(|r| r.card).collect())?, total))
    }

    async fn section_leads(&self, per_section: u32) -> StoreResult<Vec<(i64, ArticleCard)>> {
        #[derive(sqlx::FromRow)]
        struct LeadRow {
            section_id: i64,
            #[sqlx(flatten)]
            card: CardRow,
        }
        let rows: Vec<LeadRow> = sqlx::query_as(concat!(
            "SELECT ranked.section_id, ",
            card_columns!(),
            " FROM (SELECT id, section_id, ROW_NUMBER() OVER (PARTITION BY section_id \
                 ORDER BY published_at DESC, id DESC) AS n \
               FROM articles WHERE status = 'published') ranked \
             JOIN articles a ON a.id = ranked.id JOIN sections s ON s.id = a.section_id \
             LEFT JOIN images i ON i.id = a.hero_image_id \
             WHERE ranked.n <= $1 \
             ORDER BY ranked.section_id, a.published_at DESC, a.id DESC"
        ))
        .bind(per_section as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.section_id, ArticleCard::try_from(r.card)?)))
            .collect()
    }

    async fn cards_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<ArticleCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(concat!(
            "SELECT ",
            card_columns!(),
            card_from!(),
            " WHERE a.status = 'published' AND a.id IN ("
        ));
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<CardRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let mut by_id: HashMap<i64, ArticleCard> =
            cards(rows)?.into_iter().map(|c| (c.id, c)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn search(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<SearchHit>, u64)> {
        let Some(fts) = fts_query(query) else {
            return Ok((Vec::new(), 0));
        };
        #[derive(sqlx::FromRow)]
        struct HitRow {
            #[sqlx(flatten)]
            card: CardRow,
            title_hl: String,
            snippet: String,
        }
        let rows: Vec<HitRow> = sqlx::query_as(concat!(
            "SELECT ",
            card_columns!(),
            ", highlight(article_search, 0, char(57344), char(57345)) AS title_hl, \
               snippet(article_search, -1, char(57344), char(57345), '…', 28) AS snippet \
             FROM article_search JOIN articles a ON a.id = article_search.rowid \
             JOIN sections s ON s.id = a.section_id LEFT JOIN images i ON i.id = a.hero_image_id \
             WHERE article_search MATCH $1 AND a.status = 'published' \
             ORDER BY bm25(article_search, 10.0, 4.0, 1.0), a.published_at DESC \
             LIMIT $2 OFFSET $3"
        ))
        .bind(&fts)
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM article_search JOIN articles a ON a.id = article_search.rowid
             WHERE article_search MATCH $1 AND a.status = 'published'",
        )
        .bind(&fts)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        let hits = rows
            .into_iter()
            .map(|r| {
                Ok(SearchHit {
                    card: r.card.try_into()?,
                    title_html: marked_html(&r.title_hl),
                    snippet_html: marked_html(&r.snippet),
                })
            })
            .collect::<StoreResult<Vec<SearchHit>>>()?;
        Ok((hits, total as u64))
    }

    async fn sitemap_articles(
        &self,
        limit: u32,
        offset: u32,
    ) -> StoreResult<Vec<(String, String, DateTime<Utc>)>> {
        Ok(sqlx::query_as(
            "SELECT s.slug, a.slug, COALESCE(a.revised_at, a.published_at, a.updated_at)
             FROM articles a JOIN sections s ON s.id = a.section_id
             WHERE a.status = 'published' ORDER BY a.published_at, a.id LIMIT $1 OFFSET $2",
        )
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn published_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published'")
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(n as u64)
    }

    async fn published_since(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ArticleCard>> {
        let rows: Vec<CardRow> = sqlx::query_as(concat!(
            "SELECT ",
            card_columns!(),
            card_from!(),
            " WHERE a.status = 'published' AND a.published_at >= $1 \
              ORDER BY a.published_at DESC, a.id DESC LIMIT $2"
        ))
        .bind(since)
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        cards(rows)
    }

    async fn feed_articles(&self, listing: Listing, limit: u32) -> StoreResult<Vec<Article>> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(ARTICLE_SELECT);
        push_listing_filter(&mut qb, listing);
        qb.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ")
            .push_bind(limit as i64);
        let rows: Vec<ArticleRow> = qb
            .build_query_as()
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.into_iter().map(Article::try_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_quote_every_token() {
        assert_eq!(
            fts_query("harbour ferry").unwrap(),
            "\"harbour\" \"ferry\"*"
        );
        assert_eq!(
            fts_query("\"unbalanced OR NEAR(x)").unwrap(),
            "\"unbalanced\" \"or\" \"near\" \"x\"*"
        );
        assert!(fts_query("  ** ").is_none());
    }

    #[test]
    fn highlights_are_escaped_then_marked() {
        assert_eq!(
            marked_html("a <b> \u{E000}tide\u{E001} & co"),
            "a &lt;b&gt; <mark>tide</mark> &amp; co"
        );
    }
}
