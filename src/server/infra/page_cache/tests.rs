//! The rendered-page cache: what is kept, what is never kept, and which changes drop which
//! pages (here and on a second node).

use super::{
    PageCache, PageCacheConfig,
    http::{Encoding, cache_key, hashed_policy, inline_scripts, preferred_encoding},
};
use crate::{
    model::{ArticleStatus, Role},
    server::{
        articles::{ArticleForm, Intent, save_article},
        store::Listing,
    },
    testkit::TestApp,
};
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36";

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

fn key(uri: &str, pairs: &[(&'static str, &str)]) -> Option<String> {
    cache_key(
        &Method::GET,
        &uri.parse::<Uri>().unwrap(),
        &headers(pairs),
        Some("spring-offer"),
    )
}

#[test]
fn keys_keep_the_parameters_pages_read_and_refuse_the_rest() {
    assert_eq!(key("/news", &[]).as_deref(), Some("/news"));
    assert_eq!(
        key("/news?page=2&utm_source=mail&fbclid=x", &[]),
        key("/news?page=2", &[]),
        "tracking parameters share the page"
    );
    assert_eq!(
        key("/a/b?thread=3&comments=newest", &[]),
        key("/a/b?comments=newest&thread=3", &[]),
        "order does not matter"
    );
    assert_ne!(key("/news?page=2", &[]), key("/news?page=3", &[]));
    for never in [
        "/news?flash=abc",
        "/news?made_up=1",
        "/editor",
        "/search?q=ferry",
        "/api/reader/front",
        "/account",
        "/live/feed",
    ] {
        assert_eq!(key(never, &[]), None, "{never}");
    }
    assert_eq!(key("/news", &[("cookie", "nr_session=abc")]), None);
    assert_eq!(key("/news", &[("cookie", "nr_reader=abc")]), None);
    assert_eq!(
        cache_key(
            &Method::POST,
            &"/news".parse().unwrap(),
            &HeaderMap::new(),
            None
        ),
        None
    );
    // The promo banner: dismissed (the current id) is its own variant; any other value is not.
    assert_ne!(
        key("/", &[("cookie", "nr_promo=spring-offer")]),
        key("/", &[])
    );
    assert_eq!(key("/", &[("cookie", "nr_promo=anything")]), key("/", &[]));
    assert_eq!(
        crate::api::site::PROMO_COOKIE,
        crate::server::cookies::PROMO_COOKIE
    );
}

#[test]
fn encodings_are_chosen_by_accept_encoding() {
    let pick = |v: &str| preferred_encoding(&headers(&[("accept-encoding", v)]));
    assert_eq!(pick("gzip, deflate, br, zstd"), Encoding::Brotli);
    assert_eq!(pick("gzip"), Encoding::Gzip);
    assert_eq!(pick("br;q=0, gzip"), Encoding::Gzip);
    assert_eq!(pick("identity"), Encoding::Identity);
    assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
}

#[test]
fn a_stored_page_allows_exactly_its_inline_scripts_by_hash() {
    let html = r#"<head><script nonce="abc">import('/pkg/x.js')</script>
        <script type="application/ld+json">{"a":1}</script>
        <script src="/pkg/y.js" nonce="abc"></script></head>"#;
    assert_eq!(inline_scripts(html), vec!["import('/pkg/x.js')"]);
    let policy = hashed_policy(
        "default-src 'self'; script-src 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval'; object-src 'none'",
        html.as_bytes(),
    );
    assert!(!policy.contains("nonce"), "{policy}");
    assert!(
        policy.contains("script-src 'sha256-") && policy.contains("'strict-dynamic'"),
        "{policy}"
    );
}

#[test]
fn the_byte_budget_evicts_least_recently_used_pages() {
    let cache = PageCache::new(PageCacheConfig {
        max_bytes: 64 * 1024,
        ..Default::default()
    });
    let page = |n: u8| {
        std::sync::Arc::new(super::Entry::new(
            axum::http::StatusCode::OK,
            HeaderMap::new(),
            // Incompressible, so every page costs about 3 × 4 KiB.
            bytes::Bytes::from(
                (0..4096)
                    .map(|i| (i * 7919 % 251) as u8 ^ n)
                    .collect::<Vec<_>>(),
            ),
            None,
            None,
            vec![format!("a:{n}")],
            None,
        ))
    };
    for n in 0..20 {
        cache.store(&format!("/p{n}"), page(n), cache.epoch());
        // Page 0 is read all the time: it stays.
        assert!(matches!(cache.lookup("/p0"), super::Lookup::Fresh(_)));
    }
    let (count, bytes) = cache.usage();
    assert!(bytes <= 64 * 1024, "{bytes} bytes held");
    assert!(count < 20, "some pages were evicted");
    assert!(cache.is_fresh("/p0"), "the most used page stays");
    assert!(!cache.is_fresh("/p1"), "the least recently used went first");
    assert_eq!(cache.invalidate(&["a:0"]), 1);
    assert!(!cache.is_fresh("/p0"));
}

#[test]
fn a_render_that_began_before_a_change_to_what_it_shows_is_stored_stale() {
    let cache = PageCache::new(PageCacheConfig::default());
    let page = |tag: &str| {
        std::sync::Arc::new(super::Entry::new(
            axum::http::StatusCode::OK,
            HeaderMap::new(),
            bytes::Bytes::from_static(b"<p>page</p>"),
            None,
            None,
            vec![tag.to_owned()],
            None,
        ))
    };
    let began = cache.epoch();
    cache.invalidate(&["a:1"]);
    cache.store("/one", page("a:1"), began);
    cache.store("/two", page("a:2"), began);
    assert!(!cache.is_fresh("/one"), "it may show the story as it was");
    assert!(cache.is_fresh("/two"), "the change was about another story");
    cache.store("/one", page("a:1"), cache.epoch());
    assert!(cache.is_fresh("/one"));
}

async fn get_as_reader(app: &TestApp, path: &str) -> crate::testkit::TestResponse {
    app.get_with(path, &[("user-agent", BROWSER)]).await
}

#[tokio::test]
async fn an_anonymous_page_is_rendered_once_and_then_served_compressed_from_memory() {
    let app = TestApp::seeded(6).await;
    let path = app.first_article_path().await;
    let first = get_as_reader(&app, &path).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-cache"), Some("MISS"));
    let second = get_as_reader(&app, &path).await;
    assert_eq!(second.header("x-cache"), Some("HIT"));
    assert_eq!(second.body, first.body, "the same page");
    let keys = second.header("xkey").unwrap();
    assert!(keys.contains("rails") && keys.contains("a:"), "{keys}");
    assert_eq!(second.header("surrogate-key"), Some(keys));
    assert!(second.header("x-newsroom-cache-tags").is_none());
    let cc = second.header("cache-control").unwrap();
    assert!(
        cc.contains("s-maxage=")
            && cc.contains("stale-while-revalidate=")
            && cc.contains("stale-if-error="),
        "{cc}"
    );
    // A stored page's policy names its inline scripts by hash, not a shared nonce.
    let csp = second.header("content-security-policy").unwrap();
    assert!(!csp.contains("'nonce-"), "{csp}");
    for script in inline_scripts(&second.body) {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        assert!(csp.contains(&hash), "inline script not allowed: {script}");
    }
    // Brotli and gzip bodies come from the entry; compression passes them through.
    let br = app
        .get_with(
            &path,
            &[("user-agent", BROWSER), ("accept-encoding", "br, gzip")],
        )
        .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("x-cache"), Some("HIT"));
    let gz = app
        .get_with(
            &path,
            &[("user-agent", BROWSER), ("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let stats = &app.svc.page_cache.stats;
    assert_eq!(stats.renders.load(Ordering::Relaxed), 1, "rendered once");
    // A conditional request for the same bytes is a 304.
    let etag = second.header("etag").unwrap().to_owned();
    let not_modified = app
        .get_with(&path, &[("user-agent", BROWSER), ("if-none-match", &etag)])
        .await;
    assert_eq!(not_modified.status, 304);
}

#[tokio::test]
async fn views_count_for_most_popular_on_cache_hits() {
    let app = TestApp::seeded(3).await;
    let path = app.first_article_path().await;
    for _ in 0..4 {
        get_as_reader(&app, &path).await;
    }
    assert_eq!(
        app.svc.popularity.pending_total(),
        4,
        "one render, three hits"
    );
    // Bots still do not count.
    app.get_with(&path, &[("user-agent", "Googlebot/2.1")])
        .await;
    assert_eq!(app.svc.popularity.pending_total(), 4);
}

#[tokio::test]
async fn an_editors_page_is_never_stored_nor_served_to_readers() {
    let app = TestApp::seeded(3).await;
    let path = app.first_article_path().await;
    let cookie = app.session(Role::Editor).await;
    let editor = app.get_with(&path, &[("cookie", &cookie)]).await;
    assert_eq!(editor.status, 200);
    assert!(editor.body.contains("Edit post"));
    assert_eq!(editor.header("x-cache"), Some("BYPASS"));
    assert!(editor.header("xkey").is_none());
    let reader = get_as_reader(&app, &path).await;
    assert_eq!(reader.header("x-cache"), Some("MISS"));
    assert!(!reader.body.contains("Edit post"));
    // And the other way round: the stored reader page is not what the editor gets.
    let editor = app.get_with(&path, &[("cookie", &cookie)]).await;
    assert!(editor.body.contains("Edit post"));
    assert_eq!(editor.header("x-cache"), Some("BYPASS"));
}

#[tokio::test]
async fn flash_results_cookies_and_unknown_pages_of_errors_are_not_stored() {
    let app = TestApp::seeded(3).await;
    let res = get_as_reader(&app, "/news?flash=not-a-real-token").await;
    assert_eq!(res.header("x-cache"), Some("BYPASS"));
    // A withdrawn-story address (410) is an error other than 404: never stored.
    let missing = get_as_reader(&app, "/news/no-such-story").await;
    assert_eq!(missing.status, 404);
    let again = get_as_reader(&app, "/news/no-such-story").await;
    assert_eq!(again.status, 404);
    // Search results and sign-in are rendered for each request.
    assert_eq!(
        get_as_reader(&app, "/search?q=ferry")
            .await
            .header("x-cache"),
        Some("BYPASS")
    );
    assert_eq!(
        get_as_reader(&app, "/signin").await.header("x-cache"),
        Some("BYPASS")
    );
}

/// Waits until `cond` holds (the sequencer drops pages a moment after a change commits).
async fn until(within: Duration, cond: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while !cond() {
        if start.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

/// Caches `paths` and returns those stored.
async fn warm(app: &TestApp, paths: &[String]) {
    for p in paths {
        let res = get_as_reader(app, p).await;
        assert_eq!(res.status, 200, "{p}");
        assert!(app.svc.page_cache.is_fresh(p), "{p} is stored");
    }
}

fn edit_of(a: &crate::model::Article) -> ArticleForm {
    let mut f = crate::server::articles::ArticleForm::editing(a);
    f.title = format!("{} (updated)", a.title);
    f.intent = Intent::Save;
    f
}

/// A reader's comment on `article_id`, approved by a moderator (which publishes it).
async fn approved_comment(app: &TestApp, article_id: i64) {
    use crate::{
        model::ModerationAction,
        server::comments::{Posted, moderate, post},
    };
    let svc = &app.svc;
    let id = svc
        .store
        .ensure_reader("cache@example.org", svc.clock.now())
        .await
        .unwrap();
    svc.store
        .set_display_name(id, "Cache Reader")
        .await
        .unwrap();
    let reader = svc.store.reader(id).await.unwrap().unwrap();
    let Posted::Held(comment) = post(
        svc,
        &reader,
        article_id,
        None,
        "A fair point.",
        "",
        "203.0.113.7",
    )
    .await
    .unwrap() else {
        panic!("a new commenter's first comment is held");
    };
    let editor = app.staff(Role::Editor).await;
    moderate(svc, &editor, comment, ModerationAction::Approve)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_drops_exactly_the_pages_that_show_the_story_on_every_node() {
    let app = TestApp::seeded(20).await;
    let other_node = app.second_node().await;
    let cards = app
        .svc
        .store
        .published(Listing::Latest, 20, 0)
        .await
        .unwrap();
    // The oldest story: not in the rails, so only its own page and listings show it.
    let story = app
        .svc
        .store
        .article_by_id(cards.last().unwrap().id)
        .await
        .unwrap()
        .unwrap();
    let own = story.href();
    let section = format!("/{}", story.section.slug);
    let front = get_as_reader(&app, "/").await;
    let sections: Vec<String> = app
        .svc
        .config
        .sections
        .iter()
        .map(|s| format!("/{}", s.slug))
        .collect();
    let mut unrelated: Vec<String> = Vec::new();
    for c in &cards[..cards.len() - 1] {
        let href = c.href();
        let page = get_as_reader(&app, &href).await;
        if !page.body.contains(&own) {
            unrelated.push(href);
        }
    }
    for s in &sections {
        let page = get_as_reader(&app, s).await;
        if s != &section && !page.body.contains(&own) {
            unrelated.push(s.clone());
        }
    }
    assert!(unrelated.len() >= 3, "enough pages not showing the story");
    let mut all = vec![own.clone(), section.clone(), "/".to_owned()];
    all.extend(unrelated.iter().cloned());
    warm(&app, &all).await;
    warm(&other_node, &all).await;

    let ed = app.staff(Role::Editor).await;
    save_article(&app.svc, &ed, edit_of(&story)).await.unwrap();

    for node in [&app, &other_node] {
        let cache = &node.svc.page_cache;
        assert!(
            until(Duration::from_secs(3), || !cache.is_fresh(&own)).await,
            "the story's page is dropped"
        );
        assert!(
            !cache.is_fresh(&section),
            "its section's listing is dropped"
        );
        assert_eq!(
            !cache.is_fresh("/"),
            front.body.contains(&own),
            "the front page is dropped only if it shows the story"
        );
        for p in &unrelated {
            assert!(cache.is_fresh(p), "{p} does not show the story and stays");
        }
    }
    let updated = get_as_reader(&other_node, &own).await;
    assert!(updated.body.contains("(updated)"));
    assert_eq!(updated.header("x-cache"), Some("MISS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_story_edited_under_load_is_rendered_once_while_readers_get_the_old_copy() {
    let app = TestApp::seeded(4).await;
    let path = app.first_article_path().await;
    warm(&app, std::slice::from_ref(&path)).await;
    let renders = || app.svc.page_cache.stats.renders.load(Ordering::Relaxed);
    let before = renders();
    app.svc.page_cache.invalidate(&["rails"]);
    let results = futures::future::join_all((0..40).map(|_| get_as_reader(&app, &path))).await;
    assert!(results.iter().all(|r| r.status == 200));
    let misses = results
        .iter()
        .filter(|r| r.header("x-cache") == Some("MISS"))
        .count();
    assert_eq!(misses, 1, "exactly one request renders the new version");
    assert_eq!(renders() - before, 1);
    assert!(app.svc.page_cache.is_fresh(&path));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_a_feed_item_and_an_unpublish_drop_the_pages_that_show_them() {
    let app = TestApp::seeded(8).await;
    let cards = app
        .svc
        .store
        .published(Listing::Latest, 8, 0)
        .await
        .unwrap();
    let commented = cards.last().unwrap().clone();
    let own = commented.href();
    let mut unrelated = Vec::new();
    for c in &cards[..cards.len() - 1] {
        let page = get_as_reader(&app, &c.href()).await;
        if !page.body.contains(&own) {
            unrelated.push(c.href());
        }
    }
    assert!(!unrelated.is_empty());
    let feeds = vec!["/feed.xml".to_owned(), "/news-feed".to_owned()];
    let mut all = vec![own.clone()];
    all.extend(unrelated.iter().cloned());
    all.extend(feeds.iter().cloned());
    warm(&app, &all).await;
    let cache = &app.svc.page_cache;

    // A published comment: the story's page (and any card with its count), nothing else.
    approved_comment(&app, commented.id).await;
    assert!(until(Duration::from_secs(3), || !cache.is_fresh(&own)).await);
    for p in unrelated.iter().chain(&feeds) {
        assert!(cache.is_fresh(p), "{p} stays after a comment elsewhere");
    }

    // A News Feed item: pages with the feed column and the News Feed, not the RSS feed.
    warm(&app, &all).await;
    let ed = app.staff(Role::Editor).await;
    crate::server::news_feed::post(
        &app.svc,
        &ed,
        crate::server::news_feed::FeedItemForm {
            headline: "Harbour bridge reopens to traffic".into(),
            body: "Crews finished an hour early.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(until(Duration::from_secs(3), || !cache.is_fresh("/news-feed")).await);
    assert!(
        !cache.is_fresh(&unrelated[0]),
        "article pages show the feed column"
    );
    assert!(
        cache.is_fresh("/feed.xml"),
        "the RSS feed does not show News Feed items"
    );

    // Unpublishing: its page answers 410 at once and is not kept; feeds drop it.
    warm(&app, &all).await;
    let story = app
        .svc
        .store
        .article_by_id(commented.id)
        .await
        .unwrap()
        .unwrap();
    let mut f = edit_of(&story);
    f.title = story.title.clone();
    f.intent = Intent::Unpublish;
    let saved = save_article(&app.svc, &ed, f).await.unwrap();
    assert_eq!(saved.status, ArticleStatus::Draft);
    assert!(until(Duration::from_secs(3), || !cache.is_fresh(&own)).await);
    assert!(!cache.is_fresh("/feed.xml"));
    let gone = get_as_reader(&app, &own).await;
    assert_eq!(gone.status, 410);
    assert_ne!(gone.header("x-cache"), Some("HIT"));
    assert!(!cache.is_fresh(&own));
}

#[tokio::test]
async fn behind_a_cdn_views_arrive_through_the_beacon_only() {
    let app = TestApp::with_config(&[("NEWSROOM__CDN__BEACON", "true")])
        .await
        .with_articles(3)
        .await;
    let path = app.first_article_path().await;
    let page = get_as_reader(&app, &path).await;
    let id = app
        .svc
        .store
        .article_by_slug(path.rsplit('/').next().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        page.body.contains(&format!("src=\"/v/{id}\"")),
        "the page carries the beacon"
    );
    get_as_reader(&app, &path).await;
    assert_eq!(
        app.svc.popularity.pending_total(),
        0,
        "serving the page counts nothing"
    );
    let beacon = get_as_reader(&app, &format!("/v/{id}")).await;
    assert_eq!(beacon.status, 200);
    assert_eq!(beacon.header("content-type"), Some("image/gif"));
    assert_eq!(beacon.header("cache-control"), Some("no-store"));
    assert_eq!(app.svc.popularity.pending_total(), 1);
    app.get_with(&format!("/v/{id}"), &[("user-agent", "Googlebot/2.1")])
        .await;
    assert_eq!(app.svc.popularity.pending_total(), 1, "bots do not count");
    assert_eq!(get_as_reader(&app, "/v/not-a-number").await.status, 404);

    // Without a CDN the server counts views itself and the beacon does not exist.
    let plain = TestApp::seeded(1).await;
    let path = plain.first_article_path().await;
    assert!(!get_as_reader(&plain, &path).await.body.contains("/v/"));
    assert_eq!(get_as_reader(&plain, "/v/1").await.status, 404);
}

#[test]
fn purges_name_the_tags_to_varnish_and_to_a_fastly_style_api() {
    let purger = super::cdn::Purger::new(super::cdn::CdnConfig {
        varnish: vec!["http://127.0.0.1:6081/".into()],
        fastly_api: "https://api.fastly.example/".into(),
        fastly_service: "SU1Z0isxPaozGVKXdv0eY".into(),
        fastly_token: "token".into(),
        beacon: false,
    });
    let reqs = purger.requests(&["a:7".into(), "s:news".into()]);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].method(), "PURGE");
    assert_eq!(reqs[0].uri(), "http://127.0.0.1:6081/");
    assert_eq!(reqs[0].headers()["xkey-purge"], "a:7 s:news");
    assert_eq!(reqs[1].method(), "POST");
    assert_eq!(
        reqs[1].uri(),
        "https://api.fastly.example/service/SU1Z0isxPaozGVKXdv0eY/purge"
    );
    assert_eq!(reqs[1].headers()["surrogate-key"], "a:7 s:news");
    assert_eq!(reqs[1].headers()["fastly-key"], "token");
    assert!(!super::cdn::Purger::new(Default::default()).configured());
}
