//! Discovery: RSS 2.0 and Atom feeds (site, sections, tags, authors), the sitemap index with
//! article sitemaps of at most 50,000 URLs, a Google News sitemap and robots.txt.
//!
//! No XML is formatted by hand: feeds are written by the `rss` and `atom_syndication` crates,
//! sitemaps by `quick-xml`'s writer, which escape everything they write.

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
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesText, Event},
};
use std::{collections::BTreeMap, io};

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

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// Drops the characters XML 1.0 cannot carry at all (escaping is the writers' job).
pub fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An XML document written with quick-xml into memory.
fn xml_document(body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| body(&mut w))
        .expect("writing XML into memory cannot fail");
    let mut out = String::from_utf8(w.into_inner()).expect("quick-xml writes UTF-8");
    out.push('\n');
    out
}

/// `<name>text</name>`
fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_safe(text)))?;
    Ok(())
}

/// A `<urlset>` of `(absolute URL, last modified)`.
fn urlset_xml(urls: impl IntoIterator<Item = (String, Option<DateTime<Utc>>)>) -> String {
    xml_document(|w| {
        w.create_element("urlset")
            .with_attribute(("xmlns", SITEMAP_NS))
            .write_inner_content(|w| {
                for (loc, modified) in urls {
                    w.create_element("url").write_inner_content(|w| {
                        text_element(w, "loc", &loc)?;
                        if let Some(m) = modified {
                            text_element(w, "lastmod", &rfc3339(m))?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    })
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
    let files = article_count.div_ceil(chunk as u64).max(1);
    let mut locs = vec![format!("{base}/sitemaps/pages.xml")];
    locs.extend((1..=files).map(|n| format!("{base}/sitemaps/articles-{n}.xml")));
    xml_document(|w| {
        w.create_element("sitemapindex")
            .with_attribute(("xmlns", SITEMAP_NS))
            .write_inner_content(|w| {
                for loc in &locs {
                    w.create_element("sitemap")
                        .write_inner_content(|w| text_element(w, "loc", loc))?;
                }
                Ok(())
            })?;
        Ok(())
    })
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
    Ok(urlset_xml(rows.into_iter().map(
        |(section, slug, modified)| {
            (
                format!("{base}{}", crate::model::article_path(&section, &slug)),
                Some(modified),
            )
        },
    )))
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

/// The sitemap of fronts, sections, pages, tags and authors.
pub async fn pages_sitemap_xml(svc: &Services) -> Result<String, AppError> {
    let base = &svc.config.site.base_url;
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
    Ok(urlset_xml(
        paths.into_iter().map(|p| (format!("{base}{p}"), None)),
    ))
}

async fn pages_sitemap(State(state): State<AppState>) -> Response {
    match pages_sitemap_xml(&state.services).await {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 600),
        Err(e) => error_response(e),
    }
}

/// The Google News sitemap: articles of the last 48 hours, at most 1,000.
pub async fn news_sitemap_xml(svc: &Services) -> Result<String, AppError> {
    let since = svc.clock.now() - Duration::hours(NEWS_HOURS);
    let cards = svc.store.published_since(since, NEWS_MAX).await?;
    let site = &svc.config.site;
    Ok(xml_document(|w| {
        w.create_element("urlset")
            .with_attribute(("xmlns", SITEMAP_NS))
            .with_attribute(("xmlns:news", NEWS_NS))
            .write_inner_content(|w| {
                for c in &cards {
                    let Some(published) = c.published_at else {
                        continue;
                    };
                    w.create_element("url").write_inner_content(|w| {
                        text_element(w, "loc", &format!("{}{}", site.base_url, c.href()))?;
                        w.create_element("news:news").write_inner_content(|w| {
                            w.create_element("news:publication")
                                .write_inner_content(|w| {
                                    text_element(w, "news:name", &site.name)?;
                                    text_element(w, "news:language", &site.language)
                                })?;
                            text_element(w, "news:publication_date", &rfc3339(published))?;
                            text_element(w, "news:title", &c.title)
                        })?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    }))
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

/// The lead image as feed readers want it: absolute URL of the largest rendition, its size in
/// bytes (for the RSS enclosure), dimensions and alt text.
struct FeedImage {
    url: String,
    bytes: u64,
    width: u32,
    height: u32,
    alt: String,
}

async fn feed_image(svc: &Services, a: &Article) -> Option<FeedImage> {
    let h = a.hero.as_ref()?;
    let w = h
        .image
        .widths
        .iter()
        .copied()
        .max()
        .unwrap_or(h.image.width);
    let file = svc
        .config
        .storage
        .media_dir
        .join(format!("{}-{w}.jpg", h.image.key));
    let bytes = tokio::fs::metadata(&file)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    Some(FeedImage {
        url: format!("{}{}", svc.config.site.base_url, h.image.src_for(w)),
        bytes,
        width: w,
        height: h.image.height_for(w),
        alt: h.alt.clone(),
    })
}

/// One RSS extension element, e.g. `<atom:link …/>` or `<media:content …>`.
fn rss_extension(
    name: &str,
    attrs: &[(&str, String)],
    children: Vec<rss::extension::Extension>,
    value: Option<String>,
) -> rss::extension::Extension {
    let mut by_name: BTreeMap<String, Vec<rss::extension::Extension>> = BTreeMap::new();
    for c in children {
        by_name.entry(c.name.clone()).or_default().push(c);
    }
    rss::extension::Extension {
        name: name.to_owned(),
        value: value.map(|v| xml_safe(&v)),
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), xml_safe(v)))
            .collect(),
        children: by_name,
    }
}

fn rss_item(a: &Article, image: Option<FeedImage>, base: &str) -> rss::Item {
    let published = a.published_at.unwrap_or(a.updated_at);
    let mut categories = vec![rss::Category {
        name: xml_safe(&a.section.title),
        domain: Some(format!("{base}/{}", a.section.slug)),
    }];
    categories.extend(a.tags.iter().map(|t| rss::Category {
        name: xml_safe(&t.name),
        domain: Some(format!("{base}{}", t.href())),
    }));
    let mut extensions = rss::extension::ExtensionMap::new();
    let enclosure = image.map(|img| {
        let content = rss_extension(
            "media:content",
            &[
                ("url", img.url.clone()),
                ("medium", "image".into()),
                ("type", "image/jpeg".into()),
                ("width", img.width.to_string()),
                ("height", img.height.to_string()),
            ],
            vec![rss_extension(
                "media:description",
                &[],
                Vec::new(),
                Some(img.alt.clone()),
            )],
            None,
        );
        extensions
            .entry("media".into())
            .or_default()
            .insert("content".into(), vec![content]);
        rss::Enclosure {
            url: img.url,
            length: img.bytes.to_string(),
            mime_type: "image/jpeg".into(),
        }
    });
    rss::Item {
        title: Some(xml_safe(&a.title)),
        link: Some(format!("{base}{}", a.href())),
        description: Some(xml_safe(&a.dek)),
        guid: Some(rss::Guid {
            value: entry_id(base, a.id),
            permalink: false,
        }),
        pub_date: Some(published.to_rfc2822()),
        categories,
        enclosure,
        content: Some(xml_safe(&feed_html(&a.body_html, base))),
        dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
            creators: a.authors.iter().map(|x| xml_safe(&x.name)).collect(),
            ..Default::default()
        }),
        extensions,
        ..Default::default()
    }
}

fn atom_entry(a: &Article, image: Option<FeedImage>, base: &str) -> atom_syndication::Entry {
    use atom_syndication::{Category, Content, Entry, Link, Person, Text};
    let published = a.published_at.unwrap_or(a.updated_at);
    let updated = a.revised_at.unwrap_or(published);
    let mut links = vec![Link {
        href: format!("{base}{}", a.href()),
        rel: "alternate".into(),
        mime_type: Some("text/html".into()),
        ..Default::default()
    }];
    if let Some(img) = image {
        links.push(Link {
            href: img.url,
            rel: "enclosure".into(),
            mime_type: Some("image/jpeg".into()),
            title: Some(xml_safe(&img.alt)),
            length: Some(img.bytes.to_string()),
            ..Default::default()
        });
    }
    let mut categories = vec![Category {
        term: a.section.slug.clone(),
        scheme: Some(format!("{base}/")),
        label: Some(xml_safe(&a.section.title)),
    }];
    categories.extend(a.tags.iter().map(|t| Category {
        term: t.slug.clone(),
        scheme: Some(format!("{base}/tag/")),
        label: Some(xml_safe(&t.name)),
    }));
    Entry {
        id: entry_id(base, a.id),
        title: Text::plain(xml_safe(&a.title)),
        updated: updated.fixed_offset(),
        published: Some(published.fixed_offset()),
        authors: a
            .authors
            .iter()
            .map(|au| Person {
                name: xml_safe(&au.name),
                uri: Some(format!("{base}{}", au.as_ref().href())),
                ..Default::default()
            })
            .collect(),
        categories,
        links,
        summary: Some(Text::plain(xml_safe(&a.dek))),
        content: Some(Content {
            value: Some(xml_safe(&feed_html(&a.body_html, base))),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Renders a feed.
pub async fn feed_xml(
    svc: &Services,
    subject: &Subject,
    format: Format,
) -> Result<String, AppError> {
    let meta = feed_meta(svc, subject).await?;
    let articles = svc.store.feed_articles(meta.listing, FEED_ITEMS).await?;
    let site = &svc.config.site;
    let base = site.base_url.as_str();
    let updated = articles
        .iter()
        .map(|a| a.revised_at.or(a.published_at).unwrap_or(a.updated_at))
        .max()
        .unwrap_or_else(|| svc.clock.now());
    let mut images = Vec::with_capacity(articles.len());
    for a in &articles {
        images.push(feed_image(svc, a).await);
    }
    let written = match format {
        Format::Rss => {
            let self_url = format!("{base}{}/feed.xml", meta.path);
            let mut channel = rss::Channel {
                title: xml_safe(&meta.title),
                link: format!("{base}{}", meta.page),
                description: xml_safe(&meta.description),
                language: Some(site.language.clone()),
                last_build_date: Some(updated.to_rfc2822()),
                generator: Some("Newsroom".into()),
                items: articles
                    .iter()
                    .zip(images)
                    .map(|(a, img)| rss_item(a, img, base))
                    .collect(),
                ..Default::default()
            };
            channel.namespaces.insert("atom".into(), ATOM_NS.into());
            channel.namespaces.insert("media".into(), MEDIA_NS.into());
            let self_link = rss_extension(
                "atom:link",
                &[
                    ("href", self_url),
                    ("rel", "self".into()),
                    ("type", "application/rss+xml".into()),
                ],
                Vec::new(),
                None,
            );
            channel
                .extensions
                .entry("atom".into())
                .or_default()
                .insert("link".into(), vec![self_link]);
            channel.write_to(Vec::new()).map_err(|e| e.to_string())
        }
        Format::Atom => {
            use atom_syndication::{Feed, Generator, Link, Person, Text};
            let self_url = format!("{base}{}/atom.xml", meta.path);
            let feed = Feed {
                id: self_url.clone(),
                title: Text::plain(xml_safe(&meta.title)),
                subtitle: Some(Text::plain(xml_safe(&meta.description))),
                updated: updated.fixed_offset(),
                lang: Some(site.language.clone()),
                authors: vec![Person {
                    name: xml_safe(&site.name),
                    uri: Some(format!("{base}/")),
                    ..Default::default()
                }],
                generator: Some(Generator {
                    value: "Newsroom".into(),
                    ..Default::default()
                }),
                links: vec![
                    Link {
                        href: format!("{base}{}", meta.page),
                        rel: "alternate".into(),
                        mime_type: Some("text/html".into()),
                        ..Default::default()
                    },
                    Link {
                        href: self_url,
                        rel: "self".into(),
                        mime_type: Some("application/atom+xml".into()),
                        ..Default::default()
                    },
                ],
                entries: articles
                    .iter()
                    .zip(images)
                    .map(|(a, img)| atom_entry(a, img, base))
                    .collect(),
                ..Default::default()
            };
            feed.write_to(Vec::new()).map_err(|e| e.to_string())
        }
    };
    let bytes = written.map_err(|e| {
        tracing::error!(error = %e, "writing a feed failed");
        AppError::Internal
    })?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
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
