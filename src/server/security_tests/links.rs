//! Items 4, 9 and 10: flashes that fill the disk, a draft that steals a published story's old
//! address, plus-addressed sign-in links, links in logs, caching of personal answers, HSTS.

use super::{cookie_from, db, post_from};
use crate::{
    model::Role,
    server::articles::{ArticleForm, Intent, delete_article, save_article},
    testkit::TestApp,
};
use axum::http::StatusCode;
use std::sync::{Arc, Mutex};

const PEER: &str = "203.0.113.40";

fn signup_body(email: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("form", "signup-hub")
        .append_pair("email", email)
        .append_pair("nl_morning-briefing", "on")
        .finish()
}

const PLAIN: &[(&str, &str)] = &[
    ("accept", "text/html"),
    ("referer", "http://127.0.0.1:3000/newsletters"),
    ("host", "127.0.0.1:3000"),
];

/// Item 4: what a failed form post stores is bounded in size, and only the visitor who
/// posted it can read it back.
#[tokio::test]
async fn flashes_are_small_and_bound_to_their_visitor() {
    let app = TestApp::new().await;
    let marker = "zq".repeat(100_000); // 200 KB of "email address"
    let res = post_from(
        &app,
        PEER,
        "/api/newsletter/subscribe",
        &signup_body(&marker),
        PLAIN,
    )
    .await;
    assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
    let location = res
        .header("location")
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    assert!(location.contains("flash="), "{location}");
    let pool = db(&app).await;
    let biggest: i64 = sqlx::query_scalar("SELECT MAX(LENGTH(data)) FROM flashes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        biggest <= 16 * 1024,
        "a flash of {biggest} bytes was stored"
    );

    // Someone else who gets the link (a shared screenshot, a proxy log) sees nothing.
    let stranger = app.get(&location).await;
    assert!(
        !stranger
            .body
            .contains("Please enter a correct email address.")
    );
    // The visitor who posted sees their message.
    let cookie = cookie_from(&res, "nr_flash").expect("the flash is bound to a cookie");
    let owner = app.get_with(&location, &[("cookie", &cookie)]).await;
    assert!(
        owner.body.contains("Please enter a correct email address."),
        "the poster sees the message"
    );
}

/// Item 4: a flood of failed posts from one client stores a bounded number of flashes.
#[tokio::test]
async fn a_flood_of_failed_posts_stores_a_bounded_number_of_flashes() {
    let app = TestApp::new().await;
    for i in 0..300 {
        let res = post_from(
            &app,
            PEER,
            "/api/newsletter/subscribe",
            &signup_body(&format!("not an address {i}")),
            PLAIN,
        )
        .await;
        assert!(res.status.as_u16() < 500, "{}", res.status);
    }
    let pool = db(&app).await;
    let (n, bytes): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM flashes")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        n <= 100,
        "{n} flashes ({bytes} bytes) stored for one client"
    );
}

/// Item 4 (limits): bodies past a route's limit are refused before any work, 413.
#[tokio::test]
async fn oversized_form_bodies_are_refused_per_route() {
    let app = TestApp::new().await;
    let huge = signup_body(&"a".repeat(2 * 1024 * 1024));
    let res = post_from(&app, PEER, "/api/newsletter/subscribe", &huge, &[]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}

fn article(title: &str, slug: &str) -> ArticleForm {
    ArticleForm {
        title: title.into(),
        slug: slug.into(),
        dek: "A standfirst.".into(),
        section: "news".into(),
        authors: vec!["samuel-achterberg".into()],
        body: "Body text.".into(),
        ..Default::default()
    }
}

/// Item 9: a contributor's draft cannot take over a published story's old address (its
/// redirect) or a deleted story's 410.
#[tokio::test]
async fn a_draft_cannot_take_a_published_storys_old_address() {
    let app = TestApp::seeded(1).await;
    let svc = &app.svc;
    let ed = app.staff(Role::Editor).await;
    let contributor = app.staff(Role::Contributor).await;

    let mut f = article("Ferry returns", "ferry-returns");
    f.intent = Intent::Publish;
    let p = save_article(svc, &ed, f.clone()).await.unwrap();
    f.id = Some(p.id);
    f.version = p.version;
    f.slug = "ferry-returns-to-keeling".into();
    save_article(svc, &ed, f).await.unwrap();
    assert_eq!(
        app.get("/news/ferry-returns").await.status,
        StatusCode::MOVED_PERMANENTLY
    );

    let mut g = article("Storm closes pier", "storm-closes-pier");
    g.intent = Intent::Publish;
    let gone = save_article(svc, &ed, g).await.unwrap();
    delete_article(svc, &ed, gone.id).await.unwrap();
    assert_eq!(
        app.get("/news/storm-closes-pier").await.status,
        StatusCode::GONE
    );

    for slug in ["ferry-returns", "storm-closes-pier"] {
        let taken = save_article(svc, &contributor, article("My draft", slug)).await;
        assert!(
            taken.as_ref().is_err_and(|e| e.for_field("slug").is_some()),
            "{slug}: {taken:?}"
        );
    }
    assert_eq!(
        app.get("/news/ferry-returns").await.status,
        StatusCode::MOVED_PERMANENTLY
    );
    assert_eq!(
        app.get("/news/storm-closes-pier").await.status,
        StatusCode::GONE
    );
}

/// Item 10: one mailbox written with different `+tags` shares one sign-in link allowance.
#[tokio::test]
async fn plus_addresses_share_one_sign_in_link_limit() {
    let app = TestApp::new().await;
    let mut refused = 0;
    for i in 0..10 {
        let r = crate::server::readers::send_sign_in_link(
            &app.svc,
            &format!("victim+{i}@example.org"),
            "/",
            &format!("192.0.2.{}", i + 1),
        )
        .await;
        if matches!(r, Err(crate::model::AppError::RateLimited(_))) {
            refused += 1;
        }
    }
    assert!(
        refused >= 7,
        "only {refused} of 10 links to one mailbox were refused"
    );
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Item 10: a public site with the file transport never writes sign-in or confirmation
/// links to its log (only a development site on a loopback address does).
#[tokio::test]
async fn a_public_site_never_logs_sign_in_links() {
    let app = TestApp::with_config(&[("NEWSROOM__SITE__BASE_URL", "https://ledger.example")]).await;
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    crate::server::readers::send_sign_in_link(&app.svc, "reader@example.org", "/", "192.0.2.1")
        .await
        .unwrap();
    crate::server::newsletters::subscribe(
        &app.svc,
        "reader@example.org",
        &["morning-briefing".into()],
        "",
        "192.0.2.1",
    )
    .await
    .unwrap();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("token="), "{text}");

    // A development site still logs them, which is what makes the demo work without mail.
    let dev = TestApp::new().await;
    crate::server::readers::send_sign_in_link(&dev.svc, "reader@example.org", "/", "192.0.2.1")
        .await
        .unwrap();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("token="), "{text}");
}

/// Item 10: answers that belong to one person are never stored by a cache.
#[tokio::test]
async fn personal_server_functions_are_not_stored() {
    let app = TestApp::new().await;
    let staff = app.session(Role::Editor).await;
    for (path, cookie) in [
        ("/api/editor/moderation?tab=pending", Some(staff.as_str())),
        ("/api/account/page", None),
        ("/api/newsletter/preferences?token=x", None),
    ] {
        let mut headers = vec![("accept", "application/json")];
        if let Some(c) = cookie {
            headers.push(("cookie", c));
        }
        let res = app.get_with(path, &headers).await;
        let cache = res.header("cache-control").unwrap_or_default();
        assert!(
            cache.contains("no-store"),
            "{path}: {:?} {cache:?}",
            res.status
        );
    }
}

/// Item 10: HSTS when the site is served over https, and not otherwise.
#[tokio::test]
async fn hsts_is_sent_when_the_site_is_https() {
    let https =
        TestApp::with_config(&[("NEWSROOM__SITE__BASE_URL", "https://ledger.example")]).await;
    let res = https.get("/healthz").await;
    let hsts = res.header("strict-transport-security").unwrap_or_default();
    assert!(
        hsts.contains("max-age=") && hsts.contains("includeSubDomains"),
        "{hsts:?}"
    );
    let http = TestApp::new().await;
    assert!(
        http.get("/healthz")
            .await
            .header("strict-transport-security")
            .is_none()
    );
}
