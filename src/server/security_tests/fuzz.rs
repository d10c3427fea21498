//! Random and oversized input to every server function and form: never a 5xx, never a panic
//! (a panic in a handler fails this test, as it runs in the test's own task).

use super::from_peer;
use crate::{model::Role, testkit::TestApp};
use axum::{
    body::Body,
    http::{Method, Request, header},
};

/// A small deterministic generator (xorshift); the seed is printed on failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const FIELDS: &[&str] = &[
    "id",
    "token",
    "email",
    "password",
    "next",
    "body",
    "title",
    "dek",
    "slug",
    "section",
    "tags",
    "authors",
    "article_id",
    "parent_id",
    "tab",
    "page",
    "q",
    "action",
    "mode",
    "reason",
    "display_name",
    "form",
    "newsletter",
    "subject",
    "intro",
    "article_ids",
    "role",
    "name",
    "active",
    "version",
    "intent",
    "publish_at",
    "headline",
    "body_md",
    "key_event",
    "pinned",
    "website",
    "nl_tideline",
    "item",
    "comments",
    "cpage",
    "thread",
    "after",
    "user_id",
    "hero_alt",
    "editors_pick",
    "fields",
    "status",
    "x",
];

fn value(rng: &mut Rng) -> String {
    match rng.next() % 16 {
        0 => String::new(),
        1 => "x".repeat(100_000),
        2 => "-1".into(),
        3 => i64::MAX.to_string(),
        4 => "99999999999999999999999".into(),
        5 => "NaN".into(),
        6 => "/\t/evil.example\n\r".into(),
        7 => "<script>alert(1)</script>\"'&".into(),
        8 => "../../../../etc/passwd".into(),
        9 => "\u{0}\u{1}\u{7f}\u{202e}\u{feff}".into(),
        10 => "🦀".repeat(5_000),
        11 => "a@b.c".into(),
        12 => "{\"a\":[1,2,{\"b\":null}]}".into(),
        13 => "%00%0d%0a%ff".into(),
        14 => "true".into(),
        _ => (rng.next() % 1000).to_string(),
    }
}

fn random_form(rng: &mut Rng) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for _ in 0..(rng.next() % 8) {
        let k = *rng.pick(FIELDS);
        s.append_pair(k, &value(rng));
    }
    s.finish()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_input_to_every_server_function_never_fails_the_server() {
    let app = TestApp::seeded(2).await;
    let admin = app.session(Role::Admin).await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut paths: Vec<(String, Method)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, m)| (p.to_owned(), m))
        .collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    // Plain pages and streams take hostile query strings too.
    for p in [
        "/",
        "/search",
        "/news",
        "/signin",
        "/account",
        "/newsletters/preferences",
        "/editor/articles/1",
        "/news-feed",
        "/live/feed",
        "/tag/x",
    ] {
        paths.push((p.to_owned(), Method::GET));
    }
    let mut requests = 0;
    for (path, method) in &paths {
        for round in 0..6 {
            let form = random_form(&mut rng);
            let accept = if round % 2 == 0 {
                "application/json"
            } else {
                "text/html"
            };
            let cookie = if round % 3 == 0 {
                admin.as_str()
            } else {
                "nr_reader=forged; nr_flash=x"
            };
            let uri = if *method == Method::GET || path.starts_with("/live/") {
                format!("{path}?{}", form.chars().take(6000).collect::<String>())
            } else {
                path.clone()
            };
            let body = if *method == Method::GET {
                String::new()
            } else {
                form.clone()
            };
            let req = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::ACCEPT, accept)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, app.svc.config.site.base_url.as_str())
                .header("sec-fetch-site", "same-origin")
                .header(header::COOKIE, cookie)
                .header(header::REFERER, "http://127.0.0.1:3000/\t/x")
                .body(Body::from(body))
                .unwrap_or_else(|e| panic!("seed {seed}: cannot build {uri}: {e}"));
            let peer = format!("198.51.100.{}", rng.next() % 250 + 1);
            let req = from_peer(req, &peer);
            // A request that never answers is a hang an attacker can repeat: fail, and say which.
            let answer = async {
                if path.starts_with("/live/") {
                    // Streams never end: look at the status only.
                    use tower::ServiceExt;
                    app.router.clone().oneshot(req).await.unwrap().status()
                } else {
                    app.send(req).await.status
                }
            };
            let status = tokio::time::timeout(std::time::Duration::from_secs(20), answer)
                .await
                .unwrap_or_else(|_| {
                    panic!("seed {seed}: {method} {uri} (cookie {cookie}) with {form:.300} never answered")
                });
            requests += 1;
            assert!(
                status.as_u16() < 500 || (path.starts_with("/live/") && status.as_u16() == 503),
                "seed {seed}: {method} {path} with {:.300} answered {status}",
                form
            );
        }
    }
    assert!(requests > 300, "{requests} requests");
}
