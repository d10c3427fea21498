//! Feeds and sitemaps, parsed with a real XML parser.

use super::*;
use crate::testkit::TestApp;
use axum::http::StatusCode;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

fn child_text<'a>(n: roxmltree::Node<'a, 'a>, ns: Option<&str>, name: &str) -> Option<&'a str> {
    n.children()
        .find(|c| {
            c.is_element()
                && c.tag_name().name() == name
                && ns.is_none_or(|ns| c.tag_name().namespace() == Some(ns))
        })
        .and_then(|c| c.text())
}

#[tokio::test]
async fn rss_feeds_carry_what_feed_readers_need() {
    let app = TestApp::seeded(8).await;
    for path in [
        "/feed.xml",
        "/news/feed.xml",
        "/tag/ferries/feed.xml",
        "/author/samuel-achterberg/feed.xml",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(
            res.header("content-type")
                .unwrap()
                .starts_with("application/rss+xml")
        );
        let doc = roxmltree::Document::parse(&res.body).unwrap_or_else(|e| panic!("{path}: {e}"));
        let rss = doc.root_element();
        assert_eq!(rss.tag_name().name(), "rss");
        assert_eq!(rss.attribute("version"), Some("2.0"));
        let channel = rss.children().find(|c| c.has_tag_name("channel")).unwrap();
        for f in ["title", "link", "description", "language", "lastBuildDate"] {
            assert!(
                child_text(channel, None, f).is_some_and(|t| !t.is_empty()),
                "{path}: {f}"
            );
        }
        let items: Vec<_> = channel
            .children()
            .filter(|c| c.has_tag_name("item"))
            .collect();
        assert!(!items.is_empty(), "{path}: items");
        for item in items {
            for f in ["title", "link", "guid", "pubDate", "description"] {
                assert!(child_text(item, None, f).is_some(), "{path}: item {f}");
            }
            let link = child_text(item, None, "link").unwrap();
            assert!(link.starts_with("http://127.0.0.1:3000/"), "{link}");
            chrono::DateTime::parse_from_rfc2822(child_text(item, None, "pubDate").unwrap())
                .expect("RFC 2822 date");
            let content = child_text(
                item,
                Some("http://purl.org/rss/1.0/modules/content/"),
                "encoded",
            )
            .unwrap();
            assert!(!content.contains("{{related:"), "markers removed");
        }
    }
}

#[tokio::test]
async fn atom_feeds_are_valid_atom() {
    let app = TestApp::seeded(8).await;
    for path in [
        "/atom.xml",
        "/politics/atom.xml",
        "/tag/ferries/atom.xml",
        "/author/maeve-okonkwo-hart/atom.xml",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let doc = roxmltree::Document::parse(&res.body).unwrap();
        let feed = doc.root_element();
        assert_eq!(feed.tag_name().namespace(), Some(ATOM));
        for f in ["id", "title", "updated"] {
            assert!(child_text(feed, Some(ATOM), f).is_some(), "{path}: {f}");
        }
        let entries: Vec<_> = feed
            .children()
            .filter(|c| c.has_tag_name((ATOM, "entry")))
            .collect();
        assert!(!entries.is_empty(), "{path}");
        for e in entries {
            for f in ["id", "title", "updated", "published", "summary", "content"] {
                assert!(child_text(e, Some(ATOM), f).is_some(), "{path}: entry {f}");
            }
            chrono::DateTime::parse_from_rfc3339(child_text(e, Some(ATOM), "updated").unwrap())
                .unwrap();
            assert!(e.children().any(|c| c.has_tag_name((ATOM, "author"))));
            let link = e
                .children()
                .find(|c| c.has_tag_name((ATOM, "link")))
                .unwrap();
            assert_eq!(link.attribute("rel"), Some("alternate"));
        }
    }
}

#[tokio::test]
async fn unknown_feed_subjects_are_404() {
    let app = TestApp::seeded(1).await;
    for path in [
        "/nope/feed.xml",
        "/tag/nope/atom.xml",
        "/author/nobody/feed.xml",
        "/sitemaps/articles-9.xml",
        "/sitemaps/other.xml",
    ] {
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn sitemaps_list_every_public_page() {
    let app = TestApp::seeded(10).await;
    let index = app.get("/sitemap.xml").await;
    let doc = roxmltree::Document::parse(&index.body).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "sitemapindex");
    let locs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "loc")))
        .map(|n| n.text().unwrap().to_owned())
        .collect();
    assert_eq!(
        locs,
        [
            "http://127.0.0.1:3000/sitemaps/pages.xml",
            "http://127.0.0.1:3000/sitemaps/articles-1.xml"
        ]
    );
    let articles = app.get("/sitemaps/articles-1.xml").await;
    let doc = roxmltree::Document::parse(&articles.body).unwrap();
    let urls: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "url")))
        .collect();
    assert_eq!(urls.len(), 10);
    for u in urls {
        assert!(
            child_text(u, Some(SITEMAP), "loc")
                .unwrap()
                .starts_with("http://127.0.0.1:3000/")
        );
        chrono::DateTime::parse_from_rfc3339(child_text(u, Some(SITEMAP), "lastmod").unwrap())
            .unwrap();
    }
    let pages = app.get("/sitemaps/pages.xml").await;
    for p in [
        "/about</loc>",
        "/news</loc>",
        "/tag/ferries</loc>",
        "/author/samuel-achterberg</loc>",
    ] {
        assert!(pages.body.contains(p), "{p}");
    }
    roxmltree::Document::parse(&pages.body).unwrap();
}

#[test]
fn the_sitemap_index_splits_at_the_chunk_size() {
    let xml = sitemap_index_xml("https://ledger.example", 100_001, SITEMAP_CHUNK);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let n = doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "sitemap")))
        .count();
    assert_eq!(
        n,
        1 + 3,
        "pages + 3 article files for 100,001 URLs at 50,000 each"
    );
}

#[tokio::test]
async fn article_sitemaps_page_through_the_archive() {
    let app = TestApp::seeded(12).await;
    let first = articles_sitemap_xml(&app.svc, 1, 5).await.unwrap();
    let third = articles_sitemap_xml(&app.svc, 3, 5).await.unwrap();
    assert_eq!(first.matches("<url>").count(), 5);
    assert_eq!(third.matches("<url>").count(), 2);
    assert_eq!(
        articles_sitemap_xml(&app.svc, 4, 5).await.unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn the_news_sitemap_has_only_the_last_48_hours() {
    let app = TestApp::seeded(42).await;
    let res = app.get("/sitemap-news.xml").await;
    let doc = roxmltree::Document::parse(&res.body).unwrap();
    let urls: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "url")))
        .collect();
    let expected = app
        .svc
        .store
        .published_since(app.svc.clock.now() - Duration::hours(48), 5000)
        .await
        .unwrap()
        .len();
    assert!(
        expected > 0 && expected < 42,
        "demo content spans more than 48 hours"
    );
    assert_eq!(urls.len(), expected);
    for u in urls {
        let news = u
            .children()
            .find(|c| c.has_tag_name((NEWS, "news")))
            .unwrap();
        let publication = news
            .children()
            .find(|c| c.has_tag_name((NEWS, "publication")))
            .unwrap();
        assert_eq!(
            child_text(publication, Some(NEWS), "name"),
            Some("The Calloway Ledger")
        );
        assert_eq!(child_text(publication, Some(NEWS), "language"), Some("en"));
        let date = child_text(news, Some(NEWS), "publication_date").unwrap();
        let date = chrono::DateTime::parse_from_rfc3339(date).unwrap();
        assert!(app.svc.clock.now() - date.with_timezone(&Utc) <= Duration::hours(48));
        assert!(child_text(news, Some(NEWS), "title").is_some());
    }
}

#[tokio::test]
async fn robots_txt_points_at_the_sitemaps_and_keeps_crawlers_out_of_staff_pages() {
    let app = TestApp::new().await;
    let res = app.get("/robots.txt").await;
    assert!(res.body.contains("Disallow: /editor"));
    assert!(
        res.body
            .contains("Sitemap: http://127.0.0.1:3000/sitemap.xml")
    );
    assert!(
        res.body
            .contains("Sitemap: http://127.0.0.1:3000/sitemap-news.xml")
    );
}

#[tokio::test]
async fn json_ld_parses_and_describes_the_news_article() {
    let app = TestApp::seeded(2).await;
    let path = app.first_article_path().await;
    let res = app.get(&path).await;
    let start = res
        .body
        .find("<script type=\"application/ld+json\">")
        .unwrap();
    let json = &res.body[start + 35..];
    let json = &json[..json.find("</script>").unwrap()];
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["@type"], "NewsArticle");
    assert!(v["headline"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(
        v["image"][0]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:3000/media/")
    );
    chrono::DateTime::parse_from_rfc3339(v["datePublished"].as_str().unwrap()).unwrap();
    chrono::DateTime::parse_from_rfc3339(v["dateModified"].as_str().unwrap()).unwrap();
    assert_eq!(v["author"][0]["@type"], "Person");
    assert!(v["author"][0]["name"].is_string());
    assert_eq!(v["publisher"]["name"], "The Calloway Ledger");
    assert!(v["publisher"]["logo"]["url"].is_string());
}

#[test]
fn text_that_xml_cannot_carry_is_dropped_and_the_rest_escaped_by_the_writer() {
    assert_eq!(xml_safe("a<b>&\"'\u{1}\tz"), "a<b>&\"'\tz");
    let xml = urlset_xml([("https://ledger.example/a?x=1&y=<2>\u{0}".to_owned(), None)]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let loc = doc.descendants().find(|n| n.has_tag_name((SITEMAP, "loc")));
    assert_eq!(
        loc.and_then(|n| n.text()),
        Some("https://ledger.example/a?x=1&y=<2>")
    );
}

/// What Python's feedparser (the parser most feed readers' authors test against) makes of a
/// feed: it must parse without complaint ("bozo") and find what readers show.
fn feedparser(xml: &str) -> serde_json::Value {
    const SCRIPT: &str = r#"
import feedparser, json, sys
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": bool(d.bozo), "bozo_exception": str(d.get("bozo_exception", "")), "version": d.version,
    "title": d.feed.get("title"), "link": d.feed.get("link"),
    "links": [dict(l) for l in d.feed.get("links", [])],
    "language": d.feed.get("language"), "updated": d.feed.get("updated"),
    "entries": [{
        "title": e.get("title"), "link": e.get("link"), "id": e.get("id"),
        "published": e.get("published"), "published_parsed": list(e.published_parsed) if e.get("published_parsed") else None,
        "author": e.get("author"), "tags": [t.get("term") for t in e.get("tags", [])],
        "enclosures": [dict(x) for x in e.get("enclosures", [])],
        "media": [dict(x) for x in e.get("media_content", [])],
        "content": [c.get("value") for c in e.get("content", [])], "summary": e.get("summary"),
    } for e in d.entries],
}))
"#;
    use std::io::Write;
    // Debian's python3 with python3-feedparser (scripts/bootstrap.sh test installs it).
    let mut child = std::process::Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "feedparser failed (is python3-feedparser installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn feedparser_reads_every_feed_with_what_readers_and_aggregators_use() {
    let app = TestApp::seeded(8).await;
    for (path, version) in [
        ("/feed.xml", "rss20"),
        ("/news/feed.xml", "rss20"),
        ("/tag/ferries/feed.xml", "rss20"),
        ("/atom.xml", "atom10"),
        ("/politics/atom.xml", "atom10"),
        ("/author/maeve-okonkwo-hart/atom.xml", "atom10"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let f = feedparser(&res.body);
        assert_eq!(f["bozo"], false, "{path}: {}", f["bozo_exception"]);
        assert_eq!(f["version"], version, "{path}");
        assert!(
            f["title"]
                .as_str()
                .unwrap()
                .starts_with("The Calloway Ledger")
        );
        assert_eq!(f["language"], "en", "{path}");
        assert!(f["updated"].is_string(), "{path}: feed date");
        // atom:link rel=self points at the feed itself.
        let self_link = f["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "self")
            .unwrap_or_else(|| panic!("{path}: no rel=self link"));
        assert_eq!(self_link["href"], format!("http://127.0.0.1:3000{path}"));
        let entries = f["entries"].as_array().unwrap();
        assert!(!entries.is_empty(), "{path}");
        for e in entries {
            let link = e["link"].as_str().unwrap();
            assert!(link.starts_with("http://127.0.0.1:3000/"), "{path}: {link}");
            assert!(
                e["id"]
                    .as_str()
                    .unwrap()
                    .starts_with("tag:127.0.0.1,2026:article-")
            );
            assert!(e["published_parsed"].is_array(), "{path}: date parsed");
            assert!(
                e["author"].as_str().is_some_and(|a| !a.is_empty()),
                "{path}: author"
            );
            let tags = e["tags"].as_array().unwrap();
            assert!(tags.len() >= 2, "{path}: section and tags as categories");
            let image = e["enclosures"]
                .as_array()
                .unwrap()
                .first()
                .unwrap_or_else(|| panic!("{path}: image enclosure"))
                .clone();
            assert_eq!(image["type"], "image/jpeg");
            let href = image["href"].as_str().unwrap();
            assert!(href.starts_with("http://127.0.0.1:3000/media/"), "{href}");
            let bytes: u64 = image["length"].as_str().unwrap().parse().unwrap();
            assert!(bytes > 1000, "{path}: enclosure length is the file's size");
            if version == "rss20" {
                assert_eq!(e["media"][0]["url"], href, "media:content too");
            }
            let content = e["content"][0].as_str().unwrap();
            assert!(!content.contains("{{related:"));
            assert!(!content.contains("href=\"/"), "{path}: links made absolute");
        }
    }
    // RSS dates are RFC 822 (2822), Atom dates RFC 3339.
    let rss = app.get("/feed.xml").await.body;
    let doc = roxmltree::Document::parse(&rss).unwrap();
    for d in doc.descendants().filter(|n| n.has_tag_name("pubDate")) {
        chrono::DateTime::parse_from_rfc2822(d.text().unwrap()).unwrap();
    }
}
