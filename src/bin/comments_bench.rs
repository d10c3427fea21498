//! Server time to render an article page whose story has thousands of comments.
//!
//!     scripts/bench-comments.sh [--comments 5000] [--requests 200] [--check]
//!
//! Uses the database named by `DATABASE_URL` (the script makes a fresh one), seeds one demo
//! story and `--comments` approved comments on it (40% top-level, the rest replies; one hot
//! thread holds a tenth of them), then sends requests through the real router in this process
//! and times each from request to the last byte of the body: that is pure server time, with no
//! network or browser in it. `--check` fails when the first page's p95 is over the budget.

use axum::{
    body::{Body, to_bytes},
    http::{Request, header},
};
use newsroom::server::{
    cli::{leptos_options, open_services},
    http,
    seed::{self, SeedOptions},
    state::Services,
    store::{Listing, NewComment},
};
use std::{process::ExitCode, sync::Arc, time::Instant};
use tower::ServiceExt;

/// The budget for the first page of a 5,000-comment story, in milliseconds.
const BUDGET_MS: f64 = 50.0;

/// A small deterministic generator (no randomness in benchmark inputs).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "ferry",
    "timetable",
    "council",
    "harbour",
    "island",
    "crossing",
    "winter",
    "quay",
    "service",
    "residents",
    "engine",
    "relief",
    "vessel",
    "study",
    "funding",
    "morning",
    "tide",
    "weather",
    "passengers",
    "crew",
    "meeting",
    "budget",
    "route",
    "hourly",
];

fn sentence(rng: &mut Lcg, words: usize) -> String {
    let mut s: Vec<&str> = (0..words)
        .map(|_| WORDS[rng.next(WORDS.len() as u64) as usize])
        .collect();
    s.push("https://example.invalid/notes");
    let mut text = s.join(" ");
    text.push('.');
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn setup(comments: usize) -> Result<(Arc<Services>, String, i64), String> {
    let svc = open_services(None).await?;
    let opts = SeedOptions {
        image_width: 800,
        max_articles: 3,
        comments: false,
    };
    seed::seed_with(&svc, &opts)
        .await
        .map_err(|e| e.to_string())?;
    let cards = svc
        .store
        .published(Listing::Latest, 1, 0)
        .await
        .map_err(|e| e.to_string())?;
    let card = cards.first().ok_or("no story was seeded")?;
    let path = card.href();

    let mut rng = Lcg(42);
    let start = chrono::Utc::now() - chrono::Duration::hours(48);
    let mut readers = Vec::new();
    for i in 0..250 {
        let id = svc
            .store
            .ensure_reader(&format!("reader{i}@bench.example.invalid"), start)
            .await
            .map_err(|e| e.to_string())?;
        svc.store
            .set_display_name(id, &format!("Reader {i}"))
            .await
            .map_err(|e| e.to_string())?;
        readers.push(id);
    }
    let top = comments * 2 / 5;
    let hot = comments / 10;
    let mut roots: Vec<i64> = Vec::new();
    let mut threads: Vec<Vec<i64>> = Vec::new();
    let step = 48 * 3600 * 1000 / comments.max(1) as i64;
    let max_depth = svc.config.comments.max_depth;
    for i in 0..comments {
        let at = start + chrono::Duration::milliseconds(step * i as i64);
        // Top-level comments come first in time so that replies have something to answer;
        // the first thread is the hot one.
        let parent_thread = if i < top {
            None
        } else if i < top + hot {
            Some(0)
        } else {
            Some(rng.next(roots.len() as u64) as usize)
        };
        let parent_id = parent_thread.map(|t| {
            let thread = &threads[t];
            thread[rng.next(thread.len() as u64) as usize]
        });
        let words = 12 + rng.next(40) as usize;
        let body = sentence(&mut rng, words);
        let reader = readers[rng.next(readers.len() as u64) as usize];
        let new = NewComment::approved(card.id, parent_id, reader, body);
        let id = svc
            .store
            .add_comment(&new, max_depth, at)
            .await
            .map_err(|e| e.to_string())?;
        match parent_thread {
            None => {
                roots.push(id);
                threads.push(vec![id]);
            }
            Some(t) => threads[t].push(id),
        }
    }
    Ok((svc, path, roots.first().copied().unwrap_or(0)))
}

async fn time_requests(
    router: &axum::Router,
    path: &str,
    n: usize,
) -> Result<(Vec<f64>, usize, usize), String> {
    let mut times = Vec::with_capacity(n);
    let mut size = 0;
    let mut shown = 0;
    for _ in 0..n {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .header(
                header::USER_AGENT,
                "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36",
            )
            .body(Body::empty())
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        let res = router
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let body = to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(format!("GET {path} answered {status}"));
        }
        size = body.len();
        shown = String::from_utf8_lossy(&body)
            .matches("class=\"comment\"")
            .count();
    }
    times.sort_by(f64::total_cmp);
    Ok((times, size, shown))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut comments = 5000usize;
    let mut requests = 200usize;
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--comments" => comments = args.next().and_then(|v| v.parse().ok()).unwrap_or(comments),
            "--requests" => requests = args.next().and_then(|v| v.parse().ok()).unwrap_or(requests),
            "--check" => check = true,
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::FAILURE;
            }
        }
    }
    let t = Instant::now();
    let (svc, path, hot) = match setup(comments).await {
        Ok(x) => x,
        Err(e) => {
            eprintln!("setup failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "seeded {comments} comments on {path} in {:.1} s ({} cores)",
        t.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let options = match leptos_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let router = http::router(
        http::app_state(svc.clone(), options),
        &newsroom::site::FRONTEND,
    );
    // Warm up caches and the connection pool.
    if let Err(e) = time_requests(&router, &path, 20).await {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "page", "p50 ms", "p95 ms", "p99 ms", "max ms", "KiB", "comments"
    );
    let pages = [
        ("first page (oldest)", path.clone()),
        ("first page, newest", format!("{path}?comments=newest")),
        (
            "first page, most replied",
            format!("{path}?comments=replies"),
        ),
        (
            "page 40 (oldest)",
            format!("{path}?comments=oldest&cpage=40"),
        ),
        ("hot thread, its own page 1", format!("{path}?thread={hot}")),
        (
            "hot thread, its own page 10",
            format!("{path}?thread={hot}&cpage=10"),
        ),
    ];
    let mut first_p95 = 0.0;
    for (i, (label, url)) in pages.iter().enumerate() {
        match time_requests(&router, url, requests).await {
            Ok((times, size, shown)) => {
                let p95 = percentile(&times, 0.95);
                if i == 0 {
                    first_p95 = p95;
                }
                println!(
                    "{label:<34} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.1} {:>8}",
                    percentile(&times, 0.5),
                    p95,
                    percentile(&times, 0.99),
                    times[times.len() - 1],
                    size as f64 / 1024.0,
                    shown
                );
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let verdict = if first_p95 <= BUDGET_MS {
        "within"
    } else {
        "OVER"
    };
    println!(
        "first page p95 {first_p95:.1} ms: {verdict} the {BUDGET_MS:.0} ms budget ({requests} requests each, sequential)"
    );
    if check && first_p95 > BUDGET_MS {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
