//! Real-time push: the live event log, one sequencer that fans events out in order, and the
//! Server-Sent Events endpoints readers subscribe to.
//!
//! Why SSE (measured, see BENCHMARKS.md): the browser's `EventSource` reconnects by itself and
//! resends `Last-Event-ID`, so resuming without gaps or repeats is a database query; it is
//! plain HTTP that proxies pass (with keep-alive comments every 15 s); and the client code is a
//! few hundred bytes of glue, where a server-function stream or websocket would pull the
//! server-function client and a codec into every page (+41 KB brotli measured for the client
//! alone). Each connection costs one task and a cursor into a shared, bounded ring buffer.
//!
//! Ordering and exactly-once display: every change is appended to the live log in the same
//! unit of work as the change itself, and ids become visible in order (the rule is written
//! down in `store/live_log.rs`). The sequencer reads the log in id order (woken at once by
//! local writes, and every second for writes by other processes sharing the database),
//! renders each event's payload once and broadcasts it. A connection replays the log after the
//! reader's last event id, then follows the broadcast, skipping ids it has already sent. A
//! reader that falls behind the ring buffer (slow client) is resynced from the log instead of
//! slowing anyone else down.

use crate::{
    model::{Channel, CommentView, FeedItem, LiveKind, SiteInfo},
    server::{
        state::{AppState, Services},
        store::LiveEventRecord,
    },
};
use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::{Stream, StreamExt, stream};
use std::{
    collections::VecDeque,
    convert::Infallible,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::{Notify, broadcast, watch};

/// Events kept in memory for fan-out and quick replays.
pub const RING: usize = 1024;
/// Keep-alive comment interval (below common proxy idle timeouts of 30–60 s).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What a browser waits before reconnecting after a dropped connection.
pub const RETRY: Duration = Duration::from_millis(1500);

/// One event, rendered once for every connection.
#[derive(Debug)]
pub struct LiveEvent {
    pub id: i64,
    pub channel: Channel,
    pub kind: LiveKind,
    /// JSON payload.
    pub data: Arc<str>,
}

/// Fan-out of live events to connected readers.
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    wake: Notify,
    last: AtomicI64,
    recent: Mutex<VecDeque<Arc<LiveEvent>>>,
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
        let (tx, _) = broadcast::channel(RING);
        let (shutdown_tx, shutdown) = watch::channel(false);
        LiveBus {
            tx,
            wake: Notify::new(),
            last: AtomicI64::new(last),
            recent: Mutex::new(VecDeque::with_capacity(RING)),
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
        let _ = self.shutdown_tx.send(true);
    }

    fn publish(&self, event: Arc<LiveEvent>) {
        {
            let mut r = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            if r.len() == RING {
                r.pop_front();
            }
            r.push_back(event.clone());
        }
        self.last.store(event.id, Ordering::Release);
        self.changes.fetch_add(1, Ordering::AcqRel);
        // No receivers is fine.
        let _ = self.tx.send(event);
    }

    /// Events after `after` on `channel` still in memory, if the memory reaches back that far.
    fn recent_after(&self, channel: Channel, after: i64) -> Option<Vec<Arc<LiveEvent>>> {
        let r = self.recent.lock().unwrap_or_else(|e| e.into_inner());
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
    Arc::new(LiveEvent {
        id: rec.id,
        channel: rec.channel,
        kind,
        data: data.into(),
    })
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
    sse_response(holding(
        ticket,
        channel_stream(svc, Channel::Comments(article_id), after),
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

/// Keeps `ticket` (the connection's place) for as long as the stream lives.
fn holding(
    ticket: crate::server::limits::LiveTicket,
    stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    stream.map(move |e| {
        let _ = &ticket;
        e
    })
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

/// `?after=` and `?key=` of a live stream request.
#[derive(Debug, serde::Deserialize, Default)]
pub struct StreamParams {
    pub after: Option<i64>,
}

/// Where a reconnecting browser left off: `Last-Event-ID` wins over `?after=`.
pub fn resume_point(headers: &HeaderMap, params: &StreamParams, head: i64) -> i64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(params.after)
        .filter(|id| *id >= 0 && *id < TOLD_TO_RELOAD)
        .unwrap_or(head)
}

fn sse_event(e: &LiveEvent) -> Event {
    Event::default()
        .id(e.id.to_string())
        .event(e.kind.as_str())
        .data(e.data.as_ref())
}

struct Conn {
    bus_guard: ConnGuard,
}

struct ConnGuard(Arc<Services>);

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.0.live.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Events on `channel` after `after`, from memory when possible, else from the log; `None`
/// when the client is too far behind (more than `limits.live_replay_events`, or past what
/// retention kept): it reloads the page instead.
async fn replay(svc: &Services, channel: Channel, after: i64) -> Option<Vec<Arc<LiveEvent>>> {
    let max = svc.config.limits.live_replay_events as usize;
    if let Some(events) = svc.live.recent_after(channel, after) {
        return (events.len() <= max).then_some(events);
    }
    match svc.store.next_live_event_id(after).await {
        // Events after `after` were pruned: the client cannot be caught up exactly.
        Ok(Some(next)) if next > after + 1 => return None,
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "reading the live log failed"),
    }
    let mut out = Vec::new();
    let mut cursor = after;
    loop {
        let batch = match svc.store.live_events_after(channel, cursor, 500).await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "replaying live events failed");
                break;
            }
        };
        let n = batch.len();
        if out.len() + n > max {
            return None;
        }
        for rec in batch {
            cursor = rec.id;
            out.push(render_event(svc, &rec).await);
        }
        if n < 500 {
            break;
        }
    }
    Some(out)
}

/// The resume point of a stream that told its client to reload: it ends.
const TOLD_TO_RELOAD: i64 = i64::MAX;

/// Tells a client that is too far behind to reload the page (the stream then ends).
fn reload_event() -> Event {
    Event::default().event("reload").data("{}")
}

/// A live stream for one channel: replay after the resume point, then follow the broadcast.
pub fn channel_stream(
    svc: Arc<Services>,
    channel: Channel,
    after: i64,
) -> impl Stream<Item = Result<Event, Infallible>> {
    svc.live.connections.fetch_add(1, Ordering::Relaxed);
    let rx = svc.live.tx.subscribe();
    let shutdown = svc.live.shutdown.clone();
    let conn = Conn {
        bus_guard: ConnGuard(svc.clone()),
    };
    let hello = Event::default().retry(RETRY).comment("live");
    let state = (
        svc,
        channel,
        rx,
        after,
        Vec::<Arc<LiveEvent>>::new(),
        true,
        conn,
    );
    let events = stream::unfold(
        state,
        |(svc, channel, mut rx, mut last, mut queue, first, conn)| async move {
            if first {
                match replay(&svc, channel, last).await {
                    Some(q) => queue = q,
                    None => {
                        return Some((
                            Ok(reload_event()),
                            (svc, channel, rx, TOLD_TO_RELOAD, Vec::new(), false, conn),
                        ));
                    }
                }
                queue.reverse();
            }
            if last == TOLD_TO_RELOAD {
                // Told to reload: the stream is over.
                return None;
            }
            loop {
                if let Some(ev) = queue.pop() {
                    if ev.id <= last {
                        continue;
                    }
                    last = ev.id;
                    let out = sse_event(&ev);
                    return Some((Ok(out), (svc, channel, rx, last, queue, false, conn)));
                }
                match rx.recv().await {
                    Ok(ev) => {
                        if ev.channel == channel && ev.id > last {
                            queue.push(ev);
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        // This reader fell behind the ring: resync it from the log.
                        tracing::debug!(missed, "slow live client resynced");
                        match replay(&svc, channel, last).await {
                            Some(q) => queue = q,
                            None => {
                                let state =
                                    (svc, channel, rx, TOLD_TO_RELOAD, Vec::new(), false, conn);
                                return Some((Ok(reload_event()), state));
                            }
                        }
                        queue.reverse();
                    }
                    Err(broadcast::error::RecvError::Closed) => {
                        let _ = &conn.bus_guard;
                        return None;
                    }
                }
            }
        },
    );
    let mut shutdown_signal = shutdown;
    stream::once(async move { Ok(hello) })
        .chain(events)
        .take_until(async move {
            while !*shutdown_signal.borrow() {
                if shutdown_signal.changed().await.is_err() {
                    break;
                }
            }
        })
}

/// Wraps a live stream in an SSE response with keep-alives and proxy-friendly headers.
pub fn sse_response(
    stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> Response {
    let mut res = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response();
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    // nginx and friends must not buffer the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
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
    sse_response(holding(
        ticket,
        channel_stream(svc, Channel::NewsFeed, after),
    ))
}

#[cfg(test)]
mod tests;
