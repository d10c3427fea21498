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

mod feeds;
mod sitemaps;

pub use feeds::*;
pub use sitemaps::*;

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

pub(crate) const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
pub(crate) const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
pub(crate) const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
pub(crate) const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// Drops the characters XML 1.0 cannot carry at all (escaping is the writers' job).
pub fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An XML document written with quick-xml into memory.
pub(crate) fn xml_document(body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| body(&mut w))
        .expect("writing XML into memory cannot fail");
    let mut out = String::from_utf8(w.into_inner()).expect("quick-xml writes UTF-8");
    out.push('\n');
    out
}

/// `<name>text</name>`
pub(crate) fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_safe(text)))?;
    Ok(())
}

/// A `<urlset>` of `(absolute URL, last modified)`.
pub(crate) fn urlset_xml(
    urls: impl IntoIterator<Item = (String, Option<DateTime<Utc>>)>,
) -> String {
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

pub(crate) fn xml_response(content_type: &'static str, body: String, max_age: u32) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CACHE_CONTROL, format!("public, max-age={max_age}")),
            (
                header::HeaderName::from_static(crate::server::page_cache::TAGS_HEADER),
                crate::server::page_cache::tags::SYNDICATION.to_owned(),
            ),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn error_response(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        e.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests;
