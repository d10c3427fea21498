//! HTTP-level tests of the reader site through the real router.

use crate::testkit::TestApp;
use axum::http::StatusCode;

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn front_page_lists_article_links_without_javascript() {
    let app = TestApp::seeded(6).await;
    let res = app.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let cards = app
        .svc
        .store
        .published(crate::server::store::Listing::Latest, 6, 0)
        .await
        .unwrap();
    for c in &cards {
        assert!(
            res.body.contains(&format!("href=\"{}\"", c.href())),
            "front page misses {}",
            c.href()
        );
    }
    assert_eq!(count(&res.body, "<h1"), 1, "exactly one h1");
    assert!(res.body.contains("<title>The Calloway Ledger</title>"));
}

#[tokio::test]
async fn article_page_has_its_metadata_in_the_first_response() {
    let app = TestApp::seeded(3).await;
    let path = app.first_article_path().await;
    let res = app.get(&path).await;
    assert_eq!(res.status, StatusCode::OK);
    let a = app
        .svc
        .store
        .article_by_slug(path.rsplit('/').next().unwrap())
        .await
        .unwrap()
        .unwrap();
    let b = &res.body;
    assert_eq!(count(b, "<h1"), 1);
    assert!(
        b.contains(&format!("<title>{} | The Calloway Ledger</title>", a.title)),
        "title"
    );
    assert!(b.contains("property=\"og:title\""), "og:title");
    assert!(
        b.contains(&format!(
            "<link href=\"http://127.0.0.1:3000{path}\" rel=\"canonical\">"
        )),
        "canonical"
    );
    assert!(b.contains("<time datetime=\""), "time element");
    assert!(b.contains("application/ld+json"), "JSON-LD");
    assert!(b.contains("srcset=\"/media/"), "responsive hero");
    // Reader pages never show staff controls.
    assert!(!b.contains("Edit post"));
    // The head comes before the body: meta must be in <head>.
    let head_end = b.find("</head>").unwrap();
    assert!(b.find("og:title").unwrap() < head_end);
}

#[tokio::test]
async fn unknown_slugs_and_paths_answer_404() {
    let app = TestApp::seeded(1).await;
    for path in [
        "/news/no-such-story",
        "/no-such-section",
        "/a/b/c/d",
        "/tag/nope",
        "/author/nobody",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(res.body.contains("We could not find that page"), "{path}");
    }
}

#[tokio::test]
async fn article_under_the_wrong_section_redirects_permanently() {
    let app = TestApp::seeded(1).await;
    let path = app.first_article_path().await;
    let slug = path.rsplit('/').next().unwrap();
    let res = app.get(&format!("/sport/{slug}")).await;
    // The first demo article is not a sport story.
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.header("location"), Some(path.as_str()));
}

#[tokio::test]
async fn section_static_search_tag_and_author_pages_render() {
    let app = TestApp::seeded(8).await;
    for (path, needle) in [
        ("/news", "<h1>News</h1>"),
        ("/about", "About the Ledger"),
        ("/search?q=ferry", "result"),
        ("/tag/ferries", "<h1>Ferries</h1>"),
        ("/author/samuel-achterberg", "Samuel Achterberg"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.body.contains(needle), "{path} lacks {needle}");
        assert_eq!(count(&res.body, "<h1"), 1, "{path}: one h1");
    }
    let res = app.get("/news?page=99").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get("/news?page=zero").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_highlights_and_escapes() {
    let app = TestApp::seeded(8).await;
    let res = app.get("/search?q=ferry").await;
    assert!(res.body.contains("<mark>"), "highlighted match");
    // leptos_meta writes <title> text unescaped; the app escapes it (see App's formatter).
    let res = app
        .get("/search?q=%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.contains("<script>alert(1)"), "query is escaped");
}

#[tokio::test]
async fn pages_carry_cache_headers_and_answer_304_to_a_matching_etag() {
    let app = TestApp::seeded(2).await;
    let path = app.first_article_path().await;
    let res = app.get(&path).await;
    assert!(res.header("cache-control").unwrap().starts_with("public"));
    let etag = res.header("etag").expect("etag").to_owned();
    let again = app.get_with(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Anyone with a session gets a private page.
    let private = app.get_with(&path, &[("cookie", "nr_session=abc")]).await;
    assert_eq!(private.header("cache-control"), Some("private, no-store"));
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_same_origin_posts_pass() {
    let app = TestApp::new().await;
    let promo = app.svc.site.promo.clone().unwrap();
    let body = format!("id={}", promo.id);
    let res = app
        .post_form(
            "/api/site/dismiss-promo",
            &body,
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.header("set-cookie").is_none());
    let ok = app.post_form("/api/site/dismiss-promo", &body, &[]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.header("set-cookie").unwrap().contains("SameSite=Lax"));
}

#[tokio::test]
async fn dismissed_promo_banner_stays_hidden() {
    let app = TestApp::new().await;
    let promo = app.svc.site.promo.clone().unwrap();
    let shown = app.get("/about-nothing").await;
    assert!(shown.body.contains(&promo.text));
    let hidden = app
        .get_with(
            "/about-nothing",
            &[("cookie", &format!("nr_promo={}", promo.id))],
        )
        .await;
    assert!(!hidden.body.contains(&promo.text));
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = TestApp::new().await;
    // A page rendered for one person (here a staff member) has a nonce of its own; pages
    // shared from the page cache name their scripts by hash (`page_cache` tests).
    let session = app.session(crate::model::Role::Editor).await;
    let res = app.get_with("/", &[("cookie", &session)]).await;
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));
    let csp = res.header("content-security-policy").expect("CSP");
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every inline script carries the nonce.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    for (i, _) in res.body.match_indices("<script") {
        let tag = &res.body[i..i + res.body[i..].find('>').unwrap()];
        assert!(
            tag.contains(nonce) || tag.contains("application/ld+json"),
            "script without nonce: {tag}"
        );
    }
}

#[tokio::test]
async fn responses_are_compressed_for_browsers_that_ask() {
    let app = TestApp::seeded(2).await;
    let res = app.get_with("/", &[("accept-encoding", "br")]).await;
    assert_eq!(res.header("content-encoding"), Some("br"));
}

#[tokio::test]
async fn plain_form_posts_redirect_back_with_their_result() {
    let app = TestApp::new().await;
    // A plain HTML form post (no JavaScript): Accept text/html, from one of our pages.
    let res = app
        .post_form(
            "/api/site/dismiss-promo",
            "id=not-the-current-banner",
            &[
                ("accept", "text/html,application/xhtml+xml"),
                ("referer", "http://127.0.0.1:3000/about?x=1"),
                ("host", "127.0.0.1:3000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let location = res.header("location").unwrap().to_owned();
    assert!(location.starts_with("/about?x=1&flash="), "{location}");
    assert!(location.ends_with("#promo-dismiss"), "{location}");
    // The flash is bound to the browser that posted (its cookie).
    let cookie = res
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("nr_flash="), "{cookie}");
    let page = app
        .get_with(location.split('#').next().unwrap(), &[("cookie", &cookie)])
        .await;
    assert!(
        page.body.contains("There is no such banner."),
        "flash shown"
    );
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    // A foreign referer never becomes a redirect target.
    let res = app
        .post_form(
            "/api/site/dismiss-promo",
            "id=nope",
            &[
                ("accept", "text/html"),
                ("referer", "https://evil.example/phish"),
                ("host", "127.0.0.1:3000"),
            ],
        )
        .await;
    assert!(res.header("location").unwrap().starts_with("/?flash="));
}

#[tokio::test]
async fn javascript_form_posts_get_json_with_a_status() {
    let app = TestApp::new().await;
    let res = app
        .post_form("/api/site/dismiss-promo", "id=nope", &[])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["kind"], "invalid");
    assert_eq!(json["fields"][0]["field"], "id");
}

#[tokio::test]
async fn most_popular_counts_reader_views_in_batches_and_ignores_bots() {
    let app = TestApp::seeded(6).await;
    let cards = app
        .svc
        .store
        .published(crate::server::store::Listing::Latest, 6, 0)
        .await
        .unwrap();
    let (popular, unread) = (&cards[4], &cards[1]);
    for _ in 0..5 {
        app.get(&popular.href()).await;
    }
    app.get(&unread.href()).await;
    for _ in 0..20 {
        app.get_with(
            &unread.href(),
            &[(
                "user-agent",
                "Googlebot/2.1 (+http://www.google.com/bot.html)",
            )],
        )
        .await;
    }
    // Nothing is written per view: the counts wait in memory for the next flush.
    assert_eq!(app.svc.popularity.pending_total(), 6);
    crate::server::jobs::tick(&app.svc).await;
    assert_eq!(app.svc.popularity.pending_total(), 0);
    assert_eq!(app.svc.popularity.top(2), vec![popular.id, unread.id]);
    let front = app.get("/").await;
    let section = &front.body[front.body.find("id=\"most-popular\"").unwrap()..];
    let first_item = &section[section.find("<li>").unwrap()..];
    assert!(
        first_item[..first_item.find("</li>").unwrap()].contains(&popular.href()),
        "the most-read story leads Most popular"
    );
}

#[tokio::test]
async fn scheduled_articles_go_live_on_the_job_tick() {
    use crate::{model::ArticleStatus, server::store::ArticleWrite};
    let app = TestApp::seeded(1).await;
    let section = app.svc.store.sections().await.unwrap()[0].id;
    let now = app.svc.clock.now();
    let write = ArticleWrite {
        slug: "timed-story".into(),
        title: "Timed story".into(),
        dek: String::new(),
        body_md: "Text.".into(),
        body_html: "<p>Text.</p>".into(),
        body_text: "Text.".into(),
        word_count: 1,
        section_id: section,
        hero_image_id: None,
        hero_alt: String::new(),
        hero_caption: String::new(),
        hero_credit: String::new(),
        status: ArticleStatus::Scheduled,
        editors_pick: false,
        published_at: Some(now + chrono::Duration::seconds(1)),
        revised_at: None,
        tag_ids: vec![],
        author_ids: vec![],
    };
    app.svc.store.create_article(&write, now).await.unwrap();
    assert_eq!(
        app.get("/news/timed-story").await.status,
        StatusCode::NOT_FOUND
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // The scheduler runs from the database, so the same tick after a restart publishes too.
    crate::server::jobs::tick(&app.svc).await;
    assert_eq!(app.get("/news/timed-story").await.status, StatusCode::OK);
}

mod live {
    use super::*;
    use crate::{
        model::{LiveKind, Role, Viewer},
        server::news_feed::{self, FeedItemForm},
    };
    use axum::body::{Body, Bytes};
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn editor(app: &TestApp) -> Viewer {
        app.staff(Role::Editor).await
    }

    async fn open_stream(app: &TestApp, last_event: Option<&str>) -> axum::body::Body {
        let mut req = Request::get("/live/feed").header("accept", "text/event-stream");
        if let Some(id) = last_event {
            req = req.header("last-event-id", id);
        }
        let res = app
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        assert_eq!(res.headers()["cache-control"], "no-cache, no-transform");
        res.into_body()
    }

    /// Reads SSE frames until `n` events with ids arrive (or two seconds pass).
    async fn read_events(body: &mut Body, n: usize) -> Vec<(String, LiveKind, String)> {
        let mut buf = String::new();
        let mut events = Vec::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
        while events.len() < n {
            let frame = tokio::time::timeout_at(deadline, body.frame()).await;
            let Ok(Some(Ok(frame))) = frame else { break };
            let Ok(data): Result<Bytes, _> = frame.into_data() else {
                continue;
            };
            buf.push_str(&String::from_utf8_lossy(&data));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let (mut id, mut kind, mut payload) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = v.into()
                    }
                    if let Some(v) = line.strip_prefix("event: ") {
                        kind = v.into()
                    }
                    if let Some(v) = line.strip_prefix("data: ") {
                        payload = v.into()
                    }
                }
                if !id.is_empty() {
                    let kind: LiveKind = kind.parse().expect("a known event kind on the wire");
                    events.push((id, kind, payload));
                }
            }
        }
        events
    }

    #[tokio::test]
    async fn updates_stream_live_and_resume_from_the_last_event_seen() {
        let app = TestApp::seeded(1).await;
        let sequencer = crate::server::live::spawn_sequencer(app.svc.clone());
        let ed = editor(&app).await;
        let mut stream = open_stream(&app, None).await;
        let first = news_feed::post(
            &app.svc,
            &ed,
            FeedItemForm {
                headline: "Bridge closed".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let got = read_events(&mut stream, 1).await;
        assert_eq!(got.len(), 1, "pushed within the test's two seconds");
        assert_eq!(got[0].1, LiveKind::Upsert);
        let payload: serde_json::Value = serde_json::from_str(&got[0].2).unwrap();
        assert_eq!(payload["item"], first);
        assert!(payload["html"].as_str().unwrap().contains("Bridge closed"));
        let seen = got[0].0.clone();
        drop(stream);

        // While this reader is away: an edit, a new item and a deletion.
        let mut edit = FeedItemForm {
            headline: "Bridge closed until noon".into(),
            ..Default::default()
        };
        edit.id = Some(first);
        news_feed::post(&app.svc, &ed, edit).await.unwrap();
        let second = news_feed::post(
            &app.svc,
            &ed,
            FeedItemForm {
                headline: "Buses diverted".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        news_feed::delete(&app.svc, &ed, first).await.unwrap();

        let mut resumed = open_stream(&app, Some(&seen)).await;
        let got = read_events(&mut resumed, 3).await;
        let kinds: Vec<(LiveKind, i64)> = got
            .iter()
            .map(|(_, k, p)| {
                (
                    *k,
                    serde_json::from_str::<serde_json::Value>(p).unwrap()["item"]
                        .as_i64()
                        .unwrap(),
                )
            })
            .collect();
        // Each of the three logged events arrives once, in order. An event is rendered from the
        // item's state when it is sequenced, so the edit may arrive as an upsert or (if the
        // deletion happened first) as a delete; either way the page ends in the right state.
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert!(
            matches!(kinds[0], (LiveKind::Upsert | LiveKind::Delete, id) if id == first),
            "{kinds:?}"
        );
        assert_eq!(kinds[1], (LiveKind::Upsert, second));
        assert_eq!(kinds[2], (LiveKind::Delete, first));
        let ids: Vec<i64> = got.iter().map(|(id, _, _)| id.parse().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
        app.svc.live.close_all();
        let _ = sequencer.await;
    }
}

mod newsletters {
    use super::*;
    use crate::{server::newsletters as domain, testkit::SmtpSink};

    #[tokio::test]
    async fn one_click_unsubscribe_accepts_a_mail_providers_post() {
        let app = TestApp::new().await;
        let svc = &app.svc;
        let (id, _) = svc
            .store
            .subscribe("one@example.org", &["tideline".into()], svc.clock.now())
            .await
            .unwrap();
        svc.store
            .confirm(id, &["tideline".into()], svc.clock.now())
            .await
            .unwrap();
        let token = domain::unsubscribe_token(svc, id, "one@example.org", Some("tideline"));
        // Mail providers send no Origin and no Sec-Fetch-Site.
        let req = axum::http::Request::post(format!("/newsletters/unsubscribe?token={token}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from("List-Unsubscribe=One-Click"))
            .unwrap();
        let res = app.send(req).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(
            svc.store.subscriptions_of(id).await.unwrap(),
            vec![(
                "tideline".to_owned(),
                crate::model::SubscriptionState::Unsubscribed
            )]
        );
        // A forged token changes nothing.
        let req = axum::http::Request::post("/newsletters/unsubscribe?token=forged.1.x")
            .body(axum::body::Body::from("List-Unsubscribe=One-Click"))
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn sign_up_without_javascript_redirects_back_with_the_message() {
        let sink = SmtpSink::start(0);
        let extra = sink.config();
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let app = TestApp::with_config(&extra).await;
        let plain = [
            ("accept", "text/html"),
            ("referer", "http://127.0.0.1:3000/newsletters"),
            ("host", "127.0.0.1:3000"),
        ];
        let res = app
            .post_form(
                "/api/newsletter/subscribe",
                "form=signup-hub&email=not-an-email&nl_tideline=on&website=",
                &plain,
            )
            .await;
        assert_eq!(res.status, StatusCode::FOUND);
        let cookie = res
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_owned();
        let page = app
            .get_with(
                res.header("location").unwrap().split('#').next().unwrap(),
                &[("cookie", &cookie)],
            )
            .await;
        assert!(page.body.contains("Please enter a correct email address."));
        assert!(
            page.body.contains("value=\"not-an-email\""),
            "the reader's text is kept"
        );
        assert!(sink.messages().is_empty());
        let res = app
            .post_form(
                "/api/newsletter/subscribe",
                "form=signup-hub&email=fine%40example.org&nl_tideline=on&website=",
                &plain,
            )
            .await;
        let cookie = res
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_owned();
        let page = app
            .get_with(
                res.header("location").unwrap().split('#').next().unwrap(),
                &[("cookie", &cookie)],
            )
            .await;
        assert!(page.body.contains("Thank you for signing up!"));
        assert_eq!(sink.messages().len(), 1);
    }
}
