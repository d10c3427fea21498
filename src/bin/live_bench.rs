//! Live push benchmark: opens N concurrent Server-Sent Events connections to a running
//! Newsroom, posts updates through the editors' server function, and reports
//! publish-to-deliver latency (p50/p99 over every delivery) and the server's memory per
//! connection (RSS growth / N, read from /proc).
//!
//!     scripts/bench-live.sh 1000      # starts a server, runs this, stops it
//!
//! Arguments: --addr 127.0.0.1:PORT --pid SERVER_PID --connections N --posts M
//!            --email E --password P [--sources K]
//!
//! With `--sources K` the subscribers connect from K loopback addresses (127.0.0.2, 127.0.0.3,
//! …, each socket bound before it connects), round robin: one source address has only the
//! ephemeral port range (about 28,000 ports by default), so 50,000 connections need two or
//! more.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
    sync::mpsc,
};

struct Args {
    addr: SocketAddr,
    pid: u32,
    connections: usize,
    posts: usize,
    email: String,
    password: String,
    sources: u8,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut addr, mut pid, mut connections, mut posts) = (None, None, 1000, 20);
    let (mut email, mut password) = (String::new(), String::new());
    let mut sources = 0u8;
    while let Some(a) = it.next() {
        let mut v = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--addr" => addr = Some(v()?.parse().map_err(|e| format!("--addr: {e}"))?),
            "--pid" => pid = Some(v()?.parse().map_err(|e| format!("--pid: {e}"))?),
            "--connections" => {
                connections = v()?.parse().map_err(|e| format!("--connections: {e}"))?
            }
            "--posts" => posts = v()?.parse().map_err(|e| format!("--posts: {e}"))?,
            "--email" => email = v()?,
            "--password" => password = v()?,
            "--sources" => sources = v()?.parse().map_err(|e| format!("--sources: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        addr: addr.ok_or("--addr is required")?,
        pid: pid.ok_or("--pid is required")?,
        connections,
        posts,
        email,
        password,
        sources,
    })
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros()
}

/// One subscriber: reads the chunked SSE stream and reports each "bench-<micros>" headline's
/// delivery latency.
async fn subscriber(
    addr: SocketAddr,
    source: Option<IpAddr>,
    connected: Arc<AtomicUsize>,
    latencies: mpsc::UnboundedSender<u128>,
) -> std::io::Result<()> {
    let mut s = match source {
        Some(ip) => {
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await?
        }
        None => TcpStream::connect(addr).await?,
    };
    s.write_all(
        b"GET /live/feed HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\nUser-Agent: live-bench\r\n\r\n",
    )
    .await?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut headers_done = false;
    // Each event carries its headline twice (JSON field and HTML); count it once.
    let mut last_seen: u128 = 0;
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if !headers_done {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                headers_done = true;
                buf.drain(..end + 4);
                connected.fetch_add(1, Ordering::Relaxed);
            } else {
                continue;
            }
        }
        // Chunk framing never splits our short marker in practice; scan the raw bytes.
        let text = String::from_utf8_lossy(&buf);
        let mut consumed = 0;
        let mut from = 0;
        while let Some(i) = text[from..].find("bench-") {
            let start = from + i + 6;
            let Some(len) = text[start..].find(|c: char| !c.is_ascii_digit()) else {
                break;
            };
            if let Ok(sent) = text[start..start + len].parse::<u128>()
                && sent > last_seen
            {
                last_seen = sent;
                let _ = latencies.send(now_micros().saturating_sub(sent));
            }
            from = start + len;
            consumed = from;
        }
        if consumed > 0 {
            buf.drain(..consumed.min(buf.len()));
        } else if buf.len() > 64 * 1024 {
            buf.clear();
        }
    }
}

async fn http(addr: SocketAddr, request: String) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(request.as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn post_request(addr: SocketAddr, path: &str, body: &str, cookie: Option<&str>) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\n\
         Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n{}\r\n{body}",
        body.len(),
        cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default()
    )
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let addr = args.addr;
    let rss_before = rss_kib(args.pid);

    // Sign in as an editor.
    let body = form_encode(&[("email", &args.email), ("password", &args.password)]);
    let res = http(
        addr,
        post_request(addr, "/api/account/sign-in", &body, None),
    )
    .await
    .expect("sign-in request");
    let cookie = res
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .expect("signed in (check the editor's email and password)");

    let connected = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let started = Instant::now();
    for i in 0..args.connections {
        let (c, t) = (connected.clone(), tx.clone());
        let source = (args.sources > 0).then(|| {
            IpAddr::V4(Ipv4Addr::new(
                127,
                0,
                0,
                2 + (i % args.sources as usize) as u8,
            ))
        });
        tokio::spawn(async move {
            if let Err(e) = subscriber(addr, source, c, t).await
                && i < 3
            {
                eprintln!("connection {i}: {e}");
            }
        });
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    drop(tx);
    while connected.load(Ordering::Relaxed) < args.connections {
        if started.elapsed() > Duration::from_secs(120) {
            eprintln!(
                "only {} of {} connections opened",
                connected.load(Ordering::Relaxed),
                args.connections
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let open = connected.load(Ordering::Relaxed);
    println!(
        "connections open: {open} (in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_open = rss_kib(args.pid);

    for seq in 0..args.posts {
        let headline = format!("bench-{} update {seq}", now_micros());
        let body = form_encode(&[("headline", &headline)]);
        let res = http(
            addr,
            post_request(addr, "/api/editor/live-post", &body, Some(&cookie)),
        )
        .await
        .expect("post");
        assert!(
            res.starts_with("HTTP/1.1 200"),
            "post failed: {}",
            res.lines().next().unwrap_or("")
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let expected = open * args.posts;
    let mut samples = Vec::with_capacity(expected);
    let deadline = Instant::now() + Duration::from_secs(30);
    while samples.len() < expected && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            Ok(Some(l)) => samples.push(l),
            Ok(None) => break,
            Err(_) => {}
        }
    }
    samples.sort_unstable();
    let per_conn = (rss_open.saturating_sub(rss_before)) as f64 / open.max(1) as f64;
    println!(
        "posts: {} · deliveries: {} of {expected}",
        args.posts,
        samples.len()
    );
    println!(
        "publish-to-deliver latency: p50 {:.1} ms · p99 {:.1} ms · max {:.1} ms",
        percentile(&samples, 0.50) as f64 / 1000.0,
        percentile(&samples, 0.99) as f64 / 1000.0,
        samples.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    println!(
        "server RSS: {:.1} MiB idle → {:.1} MiB with {open} connections · {per_conn:.1} KiB per connection",
        rss_before as f64 / 1024.0,
        rss_open as f64 / 1024.0
    );
    std::process::exit(0);
}
