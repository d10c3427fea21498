//! Real-time push: the live event log, one sequencer that fans events out in order, and the
//! Server-Sent Events endpoints readers subscribe to.
//!
//! Why SSE (measured, see BENCHMARKS.md): the browser's `EventSource` reconnects by itself and
//! resends `Last-Event-ID`, so resuming without gaps or repeats is a database query; it is
//! plain HTTP that proxies pass (with keep-alive comments every 15 s); and the client code is a
//! few hundred bytes of glue, where a server-function stream or websocket would pull the
//! server-function client and a codec into every page (+41 KB brotli measured for the client
//! alone). Each connection costs hyper's connection task and a small stream: a cursor into a
//! shared, bounded ring buffer and a waiter on the bus (no channel, timer or buffer of its own).
//!
//! Ordering and exactly-once display: every change is appended to the live log in the same
//! unit of work as the change itself, and ids become visible in order (the rule is written
//! down in `store/live_log.rs`). The sequencer reads the log in id order (woken at once by
//! local writes, and every second for writes by other processes sharing the database),
//! renders and serializes each event once (its SSE frame is one shared `Bytes`), puts it in the
//! ring and wakes the connections. A connection replays the log after the reader's last event
//! id, then follows the ring, skipping ids it has already sent. A reader that falls behind the
//! ring buffer (slow client) is resynced from the log instead of slowing anyone else down. One
//! shared timer makes every connection write a keep-alive comment every 15 s.

use crate::{
    model::{Channel, CommentView, FeedItem, LiveKind, SiteInfo},
    server::{
        state::{AppState, Services},
        store::LiveEventRecord,
    },
};
use axum::{
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use bytes::Bytes;
use futures::Stream;
use std::{
    collections::VecDeque,
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::{
        Arc, OnceLock, RwLock, Weak,
        atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};
use tokio::sync::{Notify, futures::OwnedNotified, watch};

/// Events kept in memory for fan-out and quick replays.
pub const RING: usize = 1024;
/// Keep-alive comment interval (below common proxy idle timeouts of 30–60 s).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What a browser waits before reconnecting after a dropped connection.
pub const RETRY: Duration = Duration::from_millis(1500);

/// One event, rendered and serialized once for every connection.
#[derive(Debug)]
pub struct LiveEvent {
    pub id: i64,
    pub channel: Channel,
    pub kind: LiveKind,
    /// JSON payload.
    pub data: Arc<str>,
    /// The whole Server-Sent Events frame (`id: …\nevent: …\ndata: …\n\n`), serialized once:
    /// every connection writes these same bytes (a reference count, no copy).
    pub frame: Bytes,
}

impl LiveEvent {
    /// An event and its wire frame.
    pub fn new(id: i64, channel: Channel, kind: LiveKind, data: impl Into<Arc<str>>) -> Self {
        let data: Arc<str> = data.into();
        let frame = sse_frame(id, kind.as_str(), &data);
        LiveEvent {
            id,
            channel,
            kind,
            data,
            frame,
        }
    }
}

/// An SSE frame as axum's `Event` writes one: `id`, `event`, one `data:` line per line of
/// `data`, and the blank line that ends the event.
fn sse_frame(id: i64, event: &str, data: &str) -> Bytes {
    let id = id.to_string();
    let mut out = Vec::with_capacity(id.len() + event.len() + data.len() + 32);
    out.extend_from_slice(b"id: ");
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(b"\nevent: ");
    out.extend_from_slice(event.as_bytes());
    out.push(b'\n');
    for line in data.split('\n') {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(line.trim_end_matches('\r').as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    Bytes::from(out)
}

/// The first frame of every stream: the reconnect delay and a comment.
static HELLO: &[u8] = b"retry: 1500\n: live\n\n";
/// The keep-alive comment.
static KEEP_ALIVE_FRAME: &[u8] = b": keep-alive\n\n";
/// Tells a client that is too far behind to reload the page (the stream then ends).
static RELOAD_FRAME: &[u8] = b"event: reload\ndata: {}\n\n";

/// Fan-out of live events to connected readers.
///
/// Connections do not get a channel of their own: each keeps a cursor (the last event id it
/// looked at) into the shared ring of recent events and waits on one [`Notify`] that every
/// publish, keep-alive tick and shutdown wakes. An open connection therefore costs its cursor,
/// one waiter entry and hyper's buffers, however many events are in flight.
pub struct LiveBus {
    wake: Notify,
    last: AtomicI64,
    recent: RwLock<VecDeque<Arc<LiveEvent>>>,
    /// Woken for every publish, keep-alive tick and shutdown; connections wait on it.
    news: Arc<Notify>,
    /// Keep-alive ticks so far (one shared timer, see [`spawn_ticker`]).
    ticks: AtomicU64,
    ticker: AtomicBool,
    closed: AtomicBool,
    views: OnceLock<LiveViews>,
    shutdown: watch::Receiver<bool>,
    shutdown_tx: watch::Sender<bool>,
    connections: AtomicI64,
    /// Counts changes to what pages show, local or from other nodes (see [`Self::changes`]).
    changes: AtomicU64,
}

impl LiveBus {
    /// A bus starting after event `last`.
    pub fn new(last: i64) -> Self {
        let (shutdown_tx, shutdown) = watch::channel(false);
        LiveBus {
            wake: Notify::new(),
            last: AtomicI64::new(last),
            recent: RwLock::new(VecDeque::with_capacity(RING)),
            news: Arc::new(Notify::new()),
            ticks: AtomicU64::new(0),
            ticker: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            views: OnceLock::new(),
            shutdown,
            shutdown_tx,
            connections: AtomicI64::new(0),
            changes: AtomicU64::new(0),
        }
    }

    /// Registers how live items look (once, at start-up; later calls are ignored).
    pub fn set_views(&self, views: LiveViews) {
        let _ = self.views.set(views);
    }

    /// The registered views, if the UI registered any.
    pub fn views(&self) -> Option<LiveViews> {
        self.views.get().copied()
    }

    /// Tells the sequencer that new events were logged. Called after a unit of work commits,
    /// so it also marks what pages show as changed on this node at once, before the response
    /// that follows the change (the sequencer marks it again for every node when it reads the
    /// event).
    pub fn wake(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
        self.wake.notify_one();
    }

    /// A number that grows whenever something pages show may have changed: a unit of work on
    /// this node committed events, or the sequencer read an event from the log (written here or
    /// by another node). In-memory snapshots built at one value are stale at any other.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// The id of the newest broadcast event.
    pub fn last_id(&self) -> i64 {
        self.last.load(Ordering::Acquire)
    }

    /// Open live connections.
    pub fn connections(&self) -> i64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Ends every live stream (graceful shutdown).
    pub fn close_all(&self) {
        self.closed.store(true, Ordering::Release);
        let _ = self.shutdown_tx.send(true);
        self.news.notify_waiters();
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn publish(&self, event: Arc<LiveEvent>) {
        {
            let mut r = self.recent.write().unwrap_or_else(|e| e.into_inner());
            if r.len() == RING {
                r.pop_front();
            }
            self.last.store(event.id, Ordering::Release);
            r.push_back(event);
        }
        self.changes.fetch_add(1, Ordering::AcqRel);
        self.news.notify_waiters();
    }

    /// One keep-alive tick: every open connection writes a keep-alive comment.
    fn tick(&self) {
        self.ticks.fetch_add(1, Ordering::AcqRel);
        self.news.notify_waiters();
    }

    /// Events after `after` on `channel` still in memory, if the memory reaches back that far.
    fn recent_after(&self, channel: Channel, after: i64) -> Option<Vec<Arc<LiveEvent>>> {
        let r = self.recent.read().unwrap_or_else(|e| e.into_inner());
        let oldest = r.front().map(|e| e.id)?;
        if after + 1 < oldest {
            return None;
        }
        Some(
            r.iter()
                .filter(|e| e.id > after && e.channel == channel)
                .cloned()
                .collect(),
        )
    }
}

/// How live items look on a reader's page: the UI layer registers these at start-up
/// ([`LiveBus::set_views`]), so pushed items are the same HTML the server renders, while the
/// domain hands up plain data only.
#[derive(Clone, Copy)]
pub struct LiveViews {
    /// A News Feed item.
    pub feed_item: fn(&FeedItem, &SiteInfo) -> String,
    /// A comment (as anyone sees it) under article `article_id`, with the thread depth and
    /// length limits its reply form needs.
    pub comment: fn(&CommentView, i64, &SiteInfo, i64, usize) -> String,
}

/// An event's payload: what to do, and the JSON the page gets.
pub type Payload = (LiveKind, String);

/// The payload that removes `target` from open pages.
pub fn gone(target: i64) -> Payload {
    (
        LiveKind::Delete,
        serde_json::json!({ "item": target }).to_string(),
    )
}

/// Renders an event's payload from the current state (a deleted item becomes a delete).
/// Each channel's producer builds its own payload from plain data.
pub async fn render_event(svc: &Services, rec: &LiveEventRecord) -> Arc<LiveEvent> {
    let (kind, data) = match rec.channel {
        Channel::NewsFeed => crate::server::news_feed::live_payload(svc, rec).await,
        Channel::Comments(_) => crate::server::comments::live_payload(svc, rec).await,
        // No page subscribes to it: the event itself is the news (snapshots are stale).
        Channel::Site => (
            rec.kind,
            serde_json::json!({ "item": rec.target_id }).to_string(),
        ),
    };
    Arc::new(LiveEvent::new(rec.id, rec.channel, kind, data))
}

/// `GET /live/comments/{article_id}`: an article's live comments.
pub async fn comments_stream(
    State(state): State<AppState>,
    axum::extract::Path(article_id): axum::extract::Path<i64>,
    headers: HeaderMap,
    client: Option<axum::Extension<crate::server::guard::ClientIp>>,
    Query(params): Query<StreamParams>,
) -> Response {
    let svc = state.services.clone();
    let Some(ticket) = admit(&svc, client) else {
        return crate::server::limits::unavailable(RETRY.as_secs().max(5), BUSY);
    };
    let after = resume_point(&headers, &params, svc.live.last_id());
    sse_response(channel_stream(
        svc,
        Channel::Comments(article_id),
        after,
        Some(ticket),
    ))
}

/// What a client past the connection caps is told.
const BUSY: &str = "Too many live connections. Please try again shortly.";

/// A place for one more live connection from this client, if the caps allow.
fn admit(
    svc: &Services,
    client: Option<axum::Extension<crate::server::guard::ClientIp>>,
) -> Option<crate::server::limits::LiveTicket> {
    let ip = client.map(|c| c.0.0).unwrap_or_else(|| "unknown".into());
    svc.limits.live.admit(&ip)
}

/// Runs a registered view, turning a panic into `None` (logged): one bad item must never stop
/// the sequencer, which every open page depends on.
pub fn render_safely(render: impl FnOnce() -> String) -> Option<String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(render)) {
        Ok(html) => Some(html),
        Err(_) => {
            tracing::error!("rendering a live item panicked; the item is skipped");
            None
        }
    }
}

/// Reads the log in order and broadcasts; runs until shutdown.
pub fn spawn_sequencer(svc: Arc<Services>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut shutdown = svc.live.shutdown.clone();
        loop {
            let after = svc.live.last_id();
            // Changes known before this read: once its events are handled, pages are in sync
            // with them (see `PageCache::in_sync`).
            let known = svc.live.changes();
            match svc.store.all_live_events_after(after, 500).await {
                Ok(events) => {
                    let full = events.len() == 500;
                    let read = events.len() as u64;
                    for rec in events {
                        let ev = render_event(&svc, &rec).await;
                        svc.live.publish(ev);
                        // After publishing, so snapshots already count this change.
                        crate::server::page_cache::invalidate::on_event(&svc, &rec).await;
                    }
                    svc.page_cache.mark_synced(known + read);
                    if full {
                        continue;
                    }
                }
                Err(e) => tracing::error!(error = %e, "reading live events failed"),
            }
            tokio::select! {
                _ = svc.live.wake.notified() => {}
                // Other processes on the same database publish too.
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}

/// `GET /live/feed`: the News Feed's live stream.
pub async fn feed_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Option<axum::Extension<crate::server::guard::ClientIp>>,
    Query(params): Query<StreamParams>,
) -> Response {
    let svc = state.services.clone();
    let Some(ticket) = admit(&svc, client) else {
        return crate::server::limits::unavailable(RETRY.as_secs().max(5), BUSY);
    };
    let after = resume_point(&headers, &params, svc.live.last_id());
    sse_response(channel_stream(svc, Channel::NewsFeed, after, Some(ticket)))
}

mod stream;

pub use stream::{LiveStream, StreamParams, channel_stream, resume_point, sse_response};

#[cfg(test)]
mod tests;
