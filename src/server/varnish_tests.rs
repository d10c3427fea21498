//! The example Varnish configuration (`deploy/varnish/newsroom.vcl`) with a real `varnishd`
//! (Debian's varnish and varnish-modules, installed by `make test`) in front of a real app
//! server: pages are kept, an edit purges exactly the pages tagged with the story, and the
//! new headline is visible through Varnish within a second of saving.

use crate::{
    model::Role,
    server::{articles::save_article, store::Listing},
    testkit::TestApp,
};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `varnishd` in the foreground with its own working directory; stopped on drop.
struct Varnish {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Varnish {
    fn start(backend_port: u16, port: u16) -> Varnish {
        let dir = tempfile::tempdir().unwrap();
        let vcl = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deploy/varnish/newsroom.vcl"
        ))
        .expect("deploy/varnish/newsroom.vcl");
        assert!(
            vcl.contains(".port = \"3000\";"),
            "the example VCL names port 3000"
        );
        let vcl = vcl.replace(".port = \"3000\";", &format!(".port = \"{backend_port}\";"));
        let vcl_path = dir.path().join("newsroom.vcl");
        std::fs::write(&vcl_path, vcl).unwrap();
        let child = Command::new("/usr/sbin/varnishd")
            .args(["-F", "-n"])
            .arg(dir.path().join("work"))
            .args(["-a", &format!("127.0.0.1:{port}"), "-f"])
            .arg(&vcl_path)
            .args(["-s", "malloc,64M", "-p", "http_gzip_support=off"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("varnishd (Debian: varnish, varnish-modules; `make test` installs them)");
        Varnish {
            child,
            port,
            _dir: dir,
        }
    }
}

struct Reply {
    status: u16,
    /// Varnish's `X-Varnish` holds two transaction ids when the object came from its cache.
    hit: bool,
    body: String,
}

async fn get(port: u16, path: &str) -> Reply {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let req = hyper::Request::get(format!("http://127.0.0.1:{port}{path}"))
        .header("user-agent", BROWSER)
        .body(http_body_util::Empty::new())
        .unwrap();
    let res = client.request(req).await.expect("request through Varnish");
    let status = res.status().as_u16();
    let hit = res
        .headers()
        .get("x-varnish")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split_whitespace().count() == 2);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        hit,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn varnish_keeps_pages_and_an_edit_purges_exactly_its_pages_within_a_second() {
    let varnish_port = free_port();
    let purge = format!("[\"http://127.0.0.1:{varnish_port}/\"]");
    let app = TestApp::with_config(&[("NEWSROOM__CDN__VARNISH", purge.as_str())])
        .await
        .with_articles(12)
        .await;
    // The app on a real socket, as Varnish's backend.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_port = listener.local_addr().unwrap().port();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let varnish = Varnish::start(app_port, varnish_port);
    let start = Instant::now();
    while get_status(varnish.port).await != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "varnishd did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let port = varnish.port;

    let cards = app
        .svc
        .store
        .published(Listing::Latest, 12, 0)
        .await
        .unwrap();
    let story = app
        .svc
        .store
        .article_by_id(cards.last().unwrap().id)
        .await
        .unwrap()
        .unwrap();
    let own = story.href();
    // Pages that do not show the story (an article whose page does not link it).
    let mut unrelated = Vec::new();
    for c in &cards[..cards.len() - 1] {
        let page = get(port, &c.href()).await;
        assert_eq!(page.status, 200);
        if !page.body.contains(&own) {
            unrelated.push(c.href());
        }
    }
    assert!(!unrelated.is_empty());
    let first = get(port, &own).await;
    assert_eq!(first.status, 200);
    assert!(get(port, &own).await.hit, "Varnish keeps the page");
    for p in &unrelated {
        assert!(get(port, p).await.hit, "{p} is kept");
    }

    let ed = app.staff(Role::Editor).await;
    let mut form = crate::server::articles::ArticleForm::editing(&story);
    form.title = format!("{} (corrected)", story.title);
    let saved_at = Instant::now();
    save_article(&app.svc, &ed, form).await.unwrap();
    loop {
        let page = get(port, &own).await;
        if page.body.contains("(corrected)") {
            break;
        }
        assert!(
            saved_at.elapsed() < Duration::from_secs(1),
            "the edited headline was not visible through Varnish within 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "edit visible through Varnish after {:?}",
        saved_at.elapsed()
    );
    assert!(app.svc.cdn.sent.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    assert_eq!(
        app.svc
            .cdn
            .failed
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    // Only the pages tagged with the story were purged.
    for p in &unrelated {
        assert!(
            get(port, p).await.hit,
            "{p} does not show the story and stays in Varnish"
        );
    }
}

async fn get_status(port: u16) -> Option<u16> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let req = hyper::Request::get(format!("http://127.0.0.1:{port}/healthz"))
        .body(http_body_util::Empty::new())
        .ok()?;
    Some(client.request(req).await.ok()?.status().as_u16())
}
