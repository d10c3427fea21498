//! Read-only server functions behind the reader pages. They are GET requests, so shared
//! caches and browsers may keep them.

use crate::model::{AppError, ArticleLookup, FrontPage, ListingPage, SearchPage, SlugPage};
use leptos::{prelude::*, server_fn::codec::GetUrl};

#[cfg(feature = "ssr")]
use crate::{
    api::ctx,
    server::{page_cache::tags, pages as reader},
};

/// The front page.
#[server(prefix = "/api", endpoint = "reader/front", input = GetUrl)]
pub async fn get_front_page() -> Result<FrontPage, AppError> {
    let svc = ctx::services()?;
    let result = reader::front_page(&svc).await;
    if let Ok(front) = &result {
        ctx::cache_tags(tags::front_page(front));
    }
    ctx::respond(result)
}

/// An article by section and slug; counts a reader's view.
#[server(prefix = "/api", endpoint = "reader/article", input = GetUrl)]
pub async fn get_article(
    section: String,
    slug: String,
    comments: Option<String>,
    cpage: Option<u32>,
    thread: Option<i64>,
) -> Result<ArticleLookup, AppError> {
    let svc = ctx::services()?;
    let is_staff = crate::api::auth::viewer().is_some();
    let reader_info = crate::api::account::reader();
    let sort = match comments.as_deref() {
        None | Some("") => crate::model::CommentSort::default(),
        Some(s) => match s.parse() {
            Ok(sort) => sort,
            Err(e) => return ctx::respond(Err(AppError::from(e))),
        },
    };
    let result = reader::article_page(
        &svc,
        &section,
        &slug,
        is_staff,
        reader_info,
        (sort, cpage.unwrap_or(1), thread),
    )
    .await;
    if let Ok(ArticleLookup::Found(page)) = &result
        && !page.preview
        && !is_staff
    {
        // With the CDN's view beacon, the reader's browser reports the view instead.
        if !svc.cdn.beacon() {
            svc.popularity
                .record(page.article.id, ctx::user_agent().as_deref());
            ctx::counts_view_of(page.article.id);
        }
        ctx::cache_tags(tags::article_page(page));
    }
    ctx::respond(result)
}

/// A section front or a static page.
#[server(prefix = "/api", endpoint = "reader/slug", input = GetUrl)]
pub async fn get_slug_page(slug: String, page: u32) -> Result<SlugPage, AppError> {
    let svc = ctx::services()?;
    let result = reader::slug_page(&svc, &slug, page).await;
    if let Ok(SlugPage::Section(listing)) = &result {
        ctx::cache_tags(tags::listing_page(listing));
    }
    ctx::respond(result)
}

/// A tag page.
#[server(prefix = "/api", endpoint = "reader/tag", input = GetUrl)]
pub async fn get_tag_page(slug: String, page: u32) -> Result<ListingPage, AppError> {
    let svc = ctx::services()?;
    let result = reader::tag_page(&svc, &slug, page).await;
    if let Ok(listing) = &result {
        ctx::cache_tags(tags::listing_page(listing));
    }
    ctx::respond(result)
}

/// An author page.
#[server(prefix = "/api", endpoint = "reader/author", input = GetUrl)]
pub async fn get_author_page(slug: String, page: u32) -> Result<ListingPage, AppError> {
    let svc = ctx::services()?;
    let result = reader::author_page(&svc, &slug, page).await;
    if let Ok(listing) = &result {
        ctx::cache_tags(tags::listing_page(listing));
    }
    ctx::respond(result)
}

/// Search results.
#[server(prefix = "/api", endpoint = "reader/search", input = GetUrl)]
pub async fn search(q: String, page: u32) -> Result<SearchPage, AppError> {
    let svc = ctx::services()?;
    ctx::respond(reader::search(&svc, &q, page).await)
}
