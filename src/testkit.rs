//! Test harness: a whole application on a temporary SQLite database, driven through the real
//! router with `tower::ServiceExt::oneshot` (no sockets).

use crate::server::{
    config::Config,
    http,
    seed::{self, SeedOptions},
    state::{Clock, Services},
    store,
};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{HeaderMap, Request, StatusCode, header},
};
use leptos::prelude::LeptosOptions;
use std::{collections::BTreeMap, sync::Arc};
use tempfile::TempDir;
use tower::ServiceExt;

/// The browser-like headers tests send unless they say otherwise.
pub const BROWSER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537.36";

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One application instance with its own database and media folder.
pub struct TestApp {
    pub dir: TempDir,
    pub svc: Arc<Services>,
    pub router: Router,
}

/// Test configuration: the shipped `Leptos.toml` pointed at a temporary directory.
pub fn test_config(dir: &std::path::Path, extra: &[(&str, &str)]) -> Config {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Leptos.toml"))
        .expect("Leptos.toml");
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert(
        "DATABASE_URL".into(),
        format!("sqlite://{}", dir.join("test.db").display()),
    );
    env.insert(
        "NEWSROOM__STORAGE__MEDIA_DIR".into(),
        dir.join("media").display().to_string(),
    );
    env.insert(
        "NEWSROOM__MAIL__OUTBOX_DIR".into(),
        dir.join("outbox").display().to_string(),
    );
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    Config::from_toml_str(&text, "Leptos.toml", &env).expect("test configuration")
}

impl TestApp {
    /// An empty newsroom (sections only).
    pub async fn new() -> Self {
        Self::with_config(&[]).await
    }

    /// An empty newsroom with configuration overrides.
    pub async fn with_config(extra: &[(&str, &str)]) -> Self {
        Self::with_config_and_clock(extra, Clock::system()).await
    }

    /// An empty newsroom with configuration overrides and a given clock.
    pub async fn with_config_and_clock(extra: &[(&str, &str)], clock: Clock) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = test_config(dir.path(), extra);
        Self::node(dir, config, clock, true).await
    }

    /// An app node on `config`'s database, with its own services and memory, running the
    /// sequencer as `serve` does (live events reach streams, snapshots and the page cache).
    async fn node(dir: TempDir, config: Config, clock: Clock, migrate: bool) -> Self {
        let store = store::open(&config.storage.database_url)
            .await
            .expect("open store");
        if migrate {
            store.migrate().await.expect("migrate");
        }
        let svc = Arc::new(
            Services::build(config, store, clock)
                .await
                .expect("services"),
        );
        let options = LeptosOptions::builder()
            .output_name("newsroom")
            .site_root(dir.path().join("site").display().to_string())
            .build();
        let router = http::router(
            http::app_state(svc.clone(), options),
            &crate::site::FRONTEND,
        );
        crate::server::live::spawn_sequencer(svc.clone());
        TestApp { dir, svc, router }
    }

    /// A second app node on this one's database, as behind a load balancer: its own services,
    /// memory and sequencer (which follows the live log written by both).
    pub async fn second_node(&self) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = self.svc.config.storage.database_url.clone();
        let config = test_config(dir.path(), &[("DATABASE_URL", url.as_str())]);
        Self::node(dir, config, self.svc.clock.clone(), false).await
    }

    /// A newsroom with the first `n` demo articles (small pictures, for speed).
    pub async fn seeded(n: usize) -> Self {
        let app = Self::new().await;
        seed::seed_with(
            &app.svc,
            &SeedOptions {
                image_width: 480,
                max_articles: n,
                comments: true,
            },
        )
        .await
        .expect("seed");
        app.settle().await;
        app
    }

    /// Waits (at most 5 s) until this node's sequencer has handled every event in the log and
    /// every change committed here, so pages and snapshots are in step with the data.
    pub async fn settle(&self) {
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_secs(5) {
            let logged = self.svc.store.last_live_event_id().await.unwrap_or(0);
            if self.svc.live.last_id() >= logged
                && self.svc.page_cache.in_sync(self.svc.live.changes())
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Adds the first `n` demo articles without demo comments (small pictures, for speed).
    pub async fn with_articles(self, n: usize) -> Self {
        seed::seed_with(
            &self.svc,
            &SeedOptions {
                image_width: 320,
                max_articles: n,
                comments: false,
            },
        )
        .await
        .expect("seed");
        self.settle().await;
        self
    }

    /// Sends a request through the router.
    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body");
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A GET as a browser would send it.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.get_with(path, &[]).await
    }

    /// A GET with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut req = Request::get(path)
            .header(header::USER_AGENT, BROWSER_UA)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        // Given headers replace the defaults.
        for (k, v) in headers {
            req.headers_mut().insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                header::HeaderValue::from_str(v).unwrap(),
            );
        }
        self.send(req).await
    }

    /// A form POST from this site's own pages (same origin), as JavaScript would send it.
    pub async fn post_form(
        &self,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, BROWSER_UA)
            .header(header::ORIGIN, self.svc.config.site.base_url.as_str())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body.to_owned()))
            .unwrap();
        // Given headers replace the defaults (a test may pose as another origin).
        for (k, v) in headers {
            req.headers_mut().insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                header::HeaderValue::from_str(v).unwrap(),
            );
        }
        self.send(req).await
    }

    /// Creates a staff account with `role` and returns it as the domain sees a signed-in user.
    pub async fn staff(&self, role: crate::model::Role) -> crate::model::Viewer {
        let email = format!(
            "{}-{}@example.org",
            role.as_str(),
            crate::server::crypto::random_token()[..8].to_lowercase()
        );
        let id = crate::server::auth::create_user(
            &self.svc,
            &email,
            role.label(),
            role,
            "a long enough password",
        )
        .await
        .expect("create user");
        crate::model::Viewer {
            user_id: id,
            name: role.label().into(),
            email,
            role,
        }
    }

    /// Creates a staff account with `role` and returns a `Cookie` header value for its session.
    pub async fn session(&self, role: crate::model::Role) -> String {
        let email = format!(
            "{}-{}@example.org",
            role.as_str(),
            crate::server::crypto::random_token()[..8].to_lowercase()
        );
        crate::server::auth::create_user(
            &self.svc,
            &email,
            role.label(),
            role,
            "a long enough password",
        )
        .await
        .expect("create user");
        let s = crate::server::auth::sign_in(&self.svc, &email, "a long enough password", "test")
            .await
            .expect("sign in");
        format!("{}={}", crate::server::cookies::SESSION_COOKIE, s.token)
    }

    /// A same-origin multipart POST (as the editor's form sends), with an optional file.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let boundary = "----newsroom-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: image/jpeg\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, BROWSER_UA)
            .header(header::ORIGIN, self.svc.config.site.base_url.as_str())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        for (k, v) in headers {
            req.headers_mut().insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                header::HeaderValue::from_str(v).unwrap(),
            );
        }
        self.send(req).await
    }

    /// The path of the first seeded article.
    pub async fn first_article_path(&self) -> String {
        let cards = self
            .svc
            .store
            .published(store::Listing::Latest, 1, 0)
            .await
            .unwrap();
        cards[0].href()
    }
}

/// Percent-encodes a form value.
pub fn form_value(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A real SMTP server on loopback (Debian's python3-aiosmtpd, via
/// `end2end/support/smtp_sink.py`) that stores every message it accepts.
pub struct SmtpSink {
    pub port: u16,
    pub dir: TempDir,
    child: std::process::Child,
}

impl SmtpSink {
    /// Starts the sink; `tempfail_every` makes every Nth message fail with 451.
    pub fn start(tempfail_every: u32) -> Self {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = std::process::Command::new("/usr/bin/python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/end2end/support/smtp_sink.py"
            ))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .args(["--tempfail-every", &tempfail_every.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the SMTP sink needs python3-aiosmtpd (make bootstrap-test installs it)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("sink output");
        assert!(line.starts_with("READY"), "sink did not start: {line}");
        SmtpSink { port, dir, child }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Configuration overrides pointing the mailer at this sink.
    pub fn config(&self) -> Vec<(&'static str, String)> {
        vec![
            ("NEWSROOM__MAIL__TRANSPORT", "smtp".into()),
            ("NEWSROOM__MAIL__SMTP_HOST", "127.0.0.1".into()),
            ("NEWSROOM__MAIL__SMTP_PORT", self.port.to_string()),
            ("NEWSROOM__MAIL__SMTP_TLS", "none".into()),
            ("NEWSROOM__MAIL__SEND_RATE_PER_SECOND", "5000".into()),
        ]
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
