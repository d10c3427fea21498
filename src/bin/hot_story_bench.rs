//! A hot story edited while readers hammer it (issue #21): how many renders each edit costs,
//! how long until every reader has the new headline, and whether anyone got an error.
//!
//!     scripts/bench-hot-story.sh [--connections 32] [--seconds 6] [--edits 3]
//!
//! Uses the database named by `DATABASE_URL` (the script makes a fresh one): seeds the demo
//! newsroom, serves the real router on a loopback socket with the page cache on and the
//! sequencer running (as `serve` does), and keeps `--connections` keep-alive readers fetching
//! one article as fast as they can. Every `seconds / (edits + 1)` an editor saves a new
//! headline through the domain's save (the same unit of work the editor's form runs). Each
//! reader notes when it first sees each new headline. Readers and server share this process
//! and the machine's cores, so requests per second here are not comparable with `make bench`.

use http_body_util::{BodyExt, Empty};
use newsroom::{
    model::{Role, Viewer},
    server::{
        articles::{ArticleForm, save_article},
        cli::{leptos_options, open_services},
        http,
        seed::{self, SeedOptions},
        state::Services,
        store::Listing,
    },
};
use std::{
    process::ExitCode,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36";

struct Args {
    connections: usize,
    seconds: u64,
    edits: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        connections: 32,
        seconds: 6,
        edits: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let v = it.next().ok_or(format!("{a} needs a value"))?;
        let n: u64 = v.parse().map_err(|e| format!("{a}: {e}"))?;
        match a.as_str() {
            "--connections" => args.connections = n.max(1) as usize,
            "--seconds" => args.seconds = n.max(2),
            "--edits" => args.edits = n.max(1) as usize,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// When each reader first saw each edit's headline.
struct Seen {
    marks: Vec<String>,
    first_seen: Vec<Mutex<Vec<Option<Instant>>>>,
}

async fn setup() -> Result<(Arc<Services>, Viewer, i64, String), String> {
    let svc = open_services(None).await?;
    let opts = SeedOptions {
        image_width: 800,
        max_articles: 40,
        comments: true,
    };
    seed::seed_with(&svc, &opts)
        .await
        .map_err(|e| e.to_string())?;
    let id = newsroom::server::auth::create_user(
        &svc,
        "hot-story@example.org",
        "Hot Story Desk",
        Role::Editor,
        "a long enough password",
    )
    .await
    .map_err(|e| e.to_string())?;
    let editor = Viewer {
        user_id: id,
        name: "Hot Story Desk".into(),
        email: "hot-story@example.org".into(),
        role: Role::Editor,
    };
    let card = svc
        .store
        .published(Listing::Latest, 1, 0)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("no story was seeded")?;
    Ok((svc, editor, card.id, card.href()))
}

async fn edit(svc: &Services, editor: &Viewer, id: i64, title: &str) -> Result<(), String> {
    let a = svc
        .store
        .article_by_id(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the story is gone")?;
    let mut form = ArticleForm::editing(&a);
    form.title = title.to_owned();
    save_article(svc, editor, form)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn run(args: Args) -> Result<(), String> {
    let (svc, editor, id, path) = setup().await?;
    let options = leptos_options()?;
    let router = http::router(
        http::app_state(svc.clone(), options),
        &newsroom::site::FRONTEND,
    );
    newsroom::server::live::spawn_sequencer(svc.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let url = format!("http://{addr}{path}");
    let marks: Vec<String> = (1..=args.edits)
        .map(|i| format!("Hot story headline, revision {i}"))
        .collect();
    let seen = Arc::new(Seen {
        first_seen: (0..args.connections)
            .map(|_| Mutex::new(vec![None; marks.len()]))
            .collect(),
        marks,
    });
    let (ok, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut readers = Vec::new();
    for reader in 0..args.connections {
        let (seen, ok, errors, url) = (seen.clone(), ok.clone(), errors.clone(), url.clone());
        readers.push(tokio::spawn(async move {
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<Empty<bytes::Bytes>>();
            while Instant::now() < deadline {
                let Ok(req) = hyper::Request::get(&url)
                    .header("user-agent", BROWSER)
                    .header("accept-encoding", "identity")
                    .body(Empty::new())
                else {
                    break;
                };
                let res = match client.request(req).await {
                    Ok(r) => r,
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                let good = res.status() == 200;
                let body = res.into_body().collect().await.map(|b| b.to_bytes());
                match body {
                    Ok(body) if good => {
                        ok.fetch_add(1, Ordering::Relaxed);
                        let text = String::from_utf8_lossy(&body);
                        let now = Instant::now();
                        let mut mine = seen.first_seen[reader].lock().unwrap();
                        for (i, mark) in seen.marks.iter().enumerate() {
                            if mine[i].is_none() && text.contains(mark.as_str()) {
                                mine[i] = Some(now);
                            }
                        }
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let cache = &svc.page_cache;
    let step = Duration::from_secs(args.seconds) / (args.edits as u32 + 1);
    let started = Instant::now();
    let mut edits = Vec::new();
    for (i, mark) in seen.marks.iter().enumerate() {
        tokio::time::sleep_until((started + step * (i as u32 + 1)).into()).await;
        let renders = cache.stats.renders.load(Ordering::Relaxed);
        let at = Instant::now();
        edit(&svc, &editor, id, mark).await?;
        edits.push((at, renders));
    }
    for r in readers {
        let _ = r.await;
    }
    let total = ok.load(Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "hot story {path}: {} readers for {:.1} s: {total} pages ({:.0} req/s), {} errors",
        args.connections,
        elapsed,
        total as f64 / elapsed,
        errors.load(Ordering::Relaxed)
    );
    println!(
        "| edit | renders of the page until the next edit | every reader had it after | slowest reader |"
    );
    println!("| ---: | ---: | ---: | ---: |");
    let final_renders = cache.stats.renders.load(Ordering::Relaxed);
    let mut worst = Duration::ZERO;
    for (i, (at, renders)) in edits.iter().enumerate() {
        let next = edits.get(i + 1).map_or(final_renders, |e| e.1);
        let times: Vec<Option<Duration>> = seen
            .first_seen
            .iter()
            .map(|m| m.lock().unwrap()[i].map(|t| t.saturating_duration_since(*at)))
            .collect();
        let missing = times.iter().filter(|t| t.is_none()).count();
        let slowest = times.iter().flatten().max().copied().unwrap_or_default();
        worst = worst.max(slowest);
        println!(
            "| {} | {} | {} | {:.1} ms |",
            i + 1,
            next - renders,
            if missing == 0 {
                "all".to_owned()
            } else {
                format!("{missing} readers never saw it")
            },
            slowest.as_secs_f64() * 1000.0
        );
    }
    println!(
        "target: one render per change, every reader within 1 s, no errors: slowest {:.1} ms",
        worst.as_secs_f64() * 1000.0
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hot story benchmark failed: {e}");
            ExitCode::FAILURE
        }
    }
}
