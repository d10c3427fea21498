//! Discovery: RSS 2.0 and Atom feeds (site, sections, tags, authors), the sitemap index with
//! article sitemaps of at most 50,000 URLs, a Google News sitemap and robots.txt.

use crate::{
    model::{AppError, Article},
    server::{
        state::{AppState, Services},
        store::Listing,
    },
};
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::fmt::Write;

/// Items in a feed.
pub const FEED_ITEMS: u32 = 30;
/// URLs per sitemap file (the protocol's limit).
pub const SITEMAP_CHUNK: u32 = 50_000;
/// The Google News sitemap covers this many hours, with at most `NEWS_MAX` URLs.
pub const NEWS_HOURS: i64 = 48;
pub const NEWS_MAX: u32 = 1_000;

/// The routes served by this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemap-news.xml", get(news_sitemap))
        .route("/sitemaps/pages.xml", get(pages_sitemap))
        .route("/sitemaps/{file}", get(articles_sitemap))
        .route(
            "/feed.xml",
            get(|s: State<AppState>| feed(s, Subject::Site, Format::Rss)),
        )
        .route(
            "/atom.xml",
            get(|s: State<AppState>| feed(s, Subject::Site, Format::Atom)),
        )
        .route(
            "/{section}/feed.xml",
            get(|s: State<AppState>, Path(slug): Path<String>| {
                feed(s, Subject::Section(slug), Format::Rss)
            }),
        )
        .route(
            "/{section}/atom.xml",
            get(|s: State<AppState>, Path(slug): Path<String>| {
                feed(s, Subject::Section(slug), Format::Atom)
            }),
        )
        .route(
            "/tag/{slug}/feed.xml",
            get(|s: State<AppState>, Path(slug): Path<String>| {
                feed(s, Subject::Tag(slug), Format::Rss)
            }),
        )
        .route(
            "/tag/{slug}/atom.xml",
            get(|s: State<AppState>, Path(slug): Path<String>| {
                feed(s, Subject::Tag(slug), Format::Atom)
            }),
        )
        .route(
            "/author/{slug}/feed.xml",
            get(|s: State<AppState>, Path(slug): Path<String>| {
                feed(s, Subject::Author(slug), Format::Rss)
            }),
        )
        .route(
            "/author/{slug}/atom.xml",
            get(|s: State<AppState>, Path(slug): Path<String>| {
                feed(s, Subject::Author(slug), Format::Atom)
            }),
        )
}

/// Escapes text for XML content and attributes.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn xml_response(content_type: &'static str, body: String, max_age: u32) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CACHE_CONTROL, format!("public, max-age={max_age}")),
        ],
        body,
    )
        .into_response()
}

fn error_response(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        e.to_string(),
    )
        .into_response()
}

/// robots.txt: everything public may be crawled; staff and API paths may not.
async fn robots(State(state): State<AppState>) -> Response {
    let base = &state.services.config.site.base_url;
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /editor\nDisallow: /api/\nDisallow: /signin\n\
         Disallow: /search\n\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The sitemap index for `article_count` published articles in chunks of `chunk`.
pub fn sitemap_index_xml(base: &str, article_count: u64, chunk: u32) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let _ = writeln!(
        s,
        "  <sitemap><loc>{}/sitemaps/pages.xml</loc></sitemap>",
        xml(base)
    );
    let files = article_count.div_ceil(chunk as u64).max(1);
    for n in 1..=files {
        let _ = writeln!(
            s,
            "  <sitemap><loc>{}/sitemaps/articles-{n}.xml</loc></sitemap>",
            xml(base)
        );
    }
    s.push_str("</sitemapindex>\n");
    s
}

async fn sitemap_index(State(state): State<AppState>) -> Response {
    let svc = &state.services;
    match svc.store.published_count().await {
        Ok(n) => xml_response(
            "application/xml; charset=utf-8",
            sitemap_index_xml(&svc.config.site.base_url, n, SITEMAP_CHUNK),
            600,
        ),
        Err(e) => error_response(e.into()),
    }
}

/// One article sitemap file (`articles-N.xml`, N from 1).
pub async fn articles_sitemap_xml(svc: &Services, n: u32, chunk: u32) -> Result<String, AppError> {
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let rows = svc.store.sitemap_articles(chunk, (n - 1) * chunk).await?;
    if rows.is_empty() && n > 1 {
        return Err(AppError::NotFound);
    }
    let base = &svc.config.site.base_url;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (section, slug, modified) in rows {
        let _ = writeln!(
            s,
            "  <url><loc>{}/{}/{}</loc><lastmod>{}</lastmod></url>",
            xml(base),
            xml(&section),
            xml(&slug),
            rfc3339(modified)
        );
    }
    s.push_str("</urlset>\n");
    Ok(s)
}

async fn articles_sitemap(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(n) = file
        .strip_prefix("articles-")
        .and_then(|f| f.strip_suffix(".xml"))
        .and_then(|n| n.parse::<u32>().ok())
    else {
        return error_response(AppError::NotFound);
    };
    match articles_sitemap_xml(&state.services, n, SITEMAP_CHUNK).await {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 600),
        Err(e) => error_response(e),
    }
}

async fn pages_sitemap(State(state): State<AppState>) -> Response {
    let svc = &state.services;
    let result: Result<String, AppError> = async {
        let base = xml(&svc.config.site.base_url);
        let mut paths: Vec<String> = vec!["/".into(), "/news-feed".into(), "/newsletters".into()];
        paths.extend(
            svc.store
                .sections()
                .await?
                .into_iter()
                .map(|s| format!("/{}", s.slug)),
        );
        paths.extend(
            svc.store
                .pages()
                .await?
                .into_iter()
                .map(|p| format!("/{}", p.slug)),
        );
        paths.extend(svc.store.used_tags().await?.into_iter().map(|t| t.href()));
        paths.extend(
            svc.store
                .authors()
                .await?
                .into_iter()
                .map(|a| a.as_ref().href()),
        );
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for p in paths {
            let _ = writeln!(s, "  <url><loc>{base}{}</loc></url>", xml(&p));
        }
        s.push_str("</urlset>\n");
        Ok(s)
    }
    .await;
    match result {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 600),
        Err(e) => error_response(e),
    }
}

/// The Google News sitemap: articles of the last 48 hours, at most 1,000.
pub async fn news_sitemap_xml(svc: &Services) -> Result<String, AppError> {
    let since = svc.clock.now() - Duration::hours(NEWS_HOURS);
    let cards = svc.store.published_since(since, NEWS_MAX).await?;
    let base = &svc.config.site.base_url;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for c in cards {
        let Some(published) = c.published_at else {
            continue;
        };
        let _ = writeln!(
            s,
            "  <url><loc>{}{}</loc><news:news><news:publication><news:name>{}</news:name>\
             <news:language>{}</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date><news:title>{}</news:title>\
             </news:news></url>",
            xml(base),
            xml(&c.href()),
            xml(&svc.config.site.name),
            xml(&svc.config.site.language),
            rfc3339(published),
            xml(&c.title)
        );
    }
    s.push_str("</urlset>\n");
    Ok(s)
}

async fn news_sitemap(State(state): State<AppState>) -> Response {
    match news_sitemap_xml(&state.services).await {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 300),
        Err(e) => error_response(e),
    }
}

/// What a feed is about.
#[derive(Debug, Clone)]
pub enum Subject {
    Site,
    Section(String),
    Tag(String),
    Author(String),
}

/// Feed flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
}

struct FeedMeta {
    title: String,
    description: String,
    /// The HTML page this feed mirrors.
    page: String,
    /// The feed's own path, without the extension.
    path: String,
    listing: Listing,
}

async fn feed_meta(svc: &Services, subject: &Subject) -> Result<FeedMeta, AppError> {
    let site = &svc.config.site.name;
    Ok(match subject {
        Subject::Site => FeedMeta {
            title: site.clone(),
            description: svc.config.site.tagline.clone(),
            page: "/".into(),
            path: String::new(),
            listing: Listing::Latest,
        },
        Subject::Section(slug) => {
            let s = svc
                .store
                .sections()
                .await?
                .into_iter()
                .find(|s| &s.slug == slug)
                .ok_or(AppError::NotFound)?;
            FeedMeta {
                title: format!("{site}: {}", s.title),
                description: s.description,
                page: format!("/{}", s.slug),
                path: format!("/{}", s.slug),
                listing: Listing::Section(s.id),
            }
        }
        Subject::Tag(slug) => {
            let (id, t) = svc
                .store
                .tag_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            FeedMeta {
                title: format!("{site}: {}", t.name),
                description: format!("Stories tagged {}", t.name),
                page: t.href(),
                path: t.href(),
                listing: Listing::Tag(id),
            }
        }
        Subject::Author(slug) => {
            let a = svc
                .store
                .author_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            FeedMeta {
                title: format!("{site}: {}", a.name),
                description: format!("Stories by {}", a.name),
                page: a.as_ref().href(),
                path: a.as_ref().href(),
                listing: Listing::Author(a.id),
            }
        }
    })
}

/// A body for feed readers: related-story markers removed, site links made absolute.
fn feed_html(body_html: &str, base: &str) -> String {
    let mut out = String::with_capacity(body_html.len());
    let mut rest = body_html;
    while let Some(i) = rest.find("<p>{{related:") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</p>") {
            Some(j) => rest = &rest[i + j + 4..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("href=\"/", &format!("href=\"{base}/"))
        .replace("src=\"/", &format!("src=\"{base}/"))
}

/// A stable identifier for an article, unchanged by new slugs or sections.
fn entry_id(base: &str, id: i64) -> String {
    let host = url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "newsroom".into());
    format!("tag:{host},2026:article-{id}")
}

fn rss_item(s: &mut String, a: &Article, base: &str) {
    let link = format!("{base}{}", a.href());
    let published = a.published_at.unwrap_or(a.updated_at);
    let _ = write!(
        s,
        "    <item>\n      <title>{}</title>\n      <link>{}</link>\n      \
         <guid isPermaLink=\"false\">{}</guid>\n      <pubDate>{}</pubDate>\n      \
         <description>{}</description>\n",
        xml(&a.title),
        xml(&link),
        xml(&entry_id(base, a.id)),
        published.to_rfc2822(),
        xml(&a.dek)
    );
    let creators = a
        .authors
        .iter()
        .map(|x| x.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if !creators.is_empty() {
        let _ = writeln!(s, "      <dc:creator>{}</dc:creator>", xml(&creators));
    }
    let _ = writeln!(s, "      <category>{}</category>", xml(&a.section.title));
    for t in &a.tags {
        let _ = writeln!(s, "      <category>{}</category>", xml(&t.name));
    }
    if let Some(h) = &a.hero {
        let w = h
            .image
            .widths
            .iter()
            .copied()
            .max()
            .unwrap_or(h.image.width);
        let _ = writeln!(
            s,
            "      <media:content url=\"{}{}\" medium=\"image\" type=\"image/jpeg\" width=\"{w}\" height=\"{}\"><media:description>{}</media:description></media:content>",
            xml(base),
            xml(&h.image.src_for(w)),
            h.image.height_for(w),
            xml(&h.alt)
        );
    }
    let _ = writeln!(
        s,
        "      <content:encoded>{}</content:encoded>\n    </item>",
        xml(&feed_html(&a.body_html, base))
    );
}

fn atom_entry(s: &mut String, a: &Article, base: &str) {
    let link = format!("{base}{}", a.href());
    let published = a.published_at.unwrap_or(a.updated_at);
    let updated = a.revised_at.unwrap_or(published);
    let _ = write!(
        s,
        "  <entry>\n    <id>{}</id>\n    <title type=\"text\">{}</title>\n    \
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    \
         <published>{}</published>\n    <updated>{}</updated>\n",
        xml(&entry_id(base, a.id)),
        xml(&a.title),
        xml(&link),
        rfc3339(published),
        rfc3339(updated)
    );
    for au in &a.authors {
        let _ = writeln!(
            s,
            "    <author><name>{}</name><uri>{}{}</uri></author>",
            xml(&au.name),
            xml(base),
            xml(&au.as_ref().href())
        );
    }
    let _ = writeln!(
        s,
        "    <category term=\"{}\" label=\"{}\"/>",
        xml(&a.section.slug),
        xml(&a.section.title)
    );
    for t in &a.tags {
        let _ = writeln!(
            s,
            "    <category term=\"{}\" label=\"{}\"/>",
            xml(&t.slug),
            xml(&t.name)
        );
    }
    let _ = writeln!(
        s,
        "    <summary type=\"text\">{}</summary>\n    <content type=\"html\">{}</content>\n  </entry>",
        xml(&a.dek),
        xml(&feed_html(&a.body_html, base))
    );
}

/// Renders a feed.
pub async fn feed_xml(
    svc: &Services,
    subject: &Subject,
    format: Format,
) -> Result<String, AppError> {
    let meta = feed_meta(svc, subject).await?;
    let articles = svc.store.feed_articles(meta.listing, FEED_ITEMS).await?;
    let base = svc.config.site.base_url.as_str();
    let updated = articles
        .iter()
        .map(|a| a.revised_at.or(a.published_at).unwrap_or(a.updated_at))
        .max()
        .unwrap_or_else(|| svc.clock.now());
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match format {
        Format::Rss => {
            let self_url = format!("{base}{}/feed.xml", meta.path);
            let _ = write!(
                s,
                "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
                 xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
                 xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
                 xmlns:media=\"http://search.yahoo.com/mrss/\">\n  <channel>\n    \
                 <title>{}</title>\n    <link>{}{}</link>\n    <description>{}</description>\n    \
                 <language>{}</language>\n    <lastBuildDate>{}</lastBuildDate>\n    \
                 <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
                xml(&meta.title),
                xml(base),
                xml(&meta.page),
                xml(&meta.description),
                xml(&svc.config.site.language),
                updated.to_rfc2822(),
                xml(&self_url)
            );
            for a in &articles {
                rss_item(&mut s, a, base);
            }
            s.push_str("  </channel>\n</rss>\n");
        }
        Format::Atom => {
            let self_url = format!("{base}{}/atom.xml", meta.path);
            let _ = write!(
                s,
                "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <id>{}</id>\n  \
                 <title type=\"text\">{}</title>\n  <subtitle type=\"text\">{}</subtitle>\n  \
                 <link rel=\"alternate\" type=\"text/html\" href=\"{}{}\"/>\n  \
                 <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  \
                 <updated>{}</updated>\n  <author><name>{}</name></author>\n",
                xml(&svc.config.site.language),
                xml(&self_url),
                xml(&meta.title),
                xml(&meta.description),
                xml(base),
                xml(&meta.page),
                xml(&self_url),
                rfc3339(updated),
                xml(&svc.config.site.name)
            );
            for a in &articles {
                atom_entry(&mut s, a, base);
            }
            s.push_str("</feed>\n");
        }
    }
    Ok(s)
}

async fn feed(State(state): State<AppState>, subject: Subject, format: Format) -> Response {
    match feed_xml(&state.services, &subject, format).await {
        Ok(body) => xml_response(
            match format {
                Format::Rss => "application/rss+xml; charset=utf-8",
                Format::Atom => "application/atom+xml; charset=utf-8",
            },
            body,
            300,
        ),
        Err(e) => error_response(e),
    }
}

#[cfg(test)]
mod tests;
