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
fn xml_escaping_is_complete() {
    assert_eq!(xml("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
}
