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
//! Ordering and exactly-once display: every change is appended to `live_events` in the same
//! transaction as the change itself. The sequencer reads the log in id order (woken at once by
//! local writes, and every second for writes by other processes sharing the database),
//! renders each event's payload once and broadcasts it. A connection replays the log after the
//! reader's last event id, then follows the broadcast, skipping ids it has already sent. A
//! reader that falls behind the ring buffer (slow client) is resynced from the log instead of
//! slowing anyone else down.

use crate::{
    model::FeedItem,
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
        Arc, Mutex,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};
use tokio::sync::{Notify, broadcast, watch};

/// The News Feed's channel in the event log.
pub const FEED_CHANNEL: &str = "feed";
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
    pub channel: String,
    /// `upsert` or `delete`.
    pub kind: &'static str,
    /// JSON payload.
    pub data: Arc<str>,
}

/// Fan-out of live events to connected readers.
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    wake: Notify,
    last: AtomicI64,
    recent: Mutex<VecDeque<Arc<LiveEvent>>>,
    shutdown: watch::Receiver<bool>,
    shutdown_tx: watch::Sender<bool>,
    connections: AtomicI64,
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
            shutdown,
            shutdown_tx,
            connections: AtomicI64::new(0),
        }
    }

    /// Tells the sequencer that new events were logged.
    pub fn wake(&self) {
        self.wake.notify_one();
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
        // No receivers is fine.
        let _ = self.tx.send(event);
    }

    /// Events after `after` on `channel` still in memory, if the memory reaches back that far.
    fn recent_after(&self, channel: &str, after: i64) -> Option<Vec<Arc<LiveEvent>>> {
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

/// Renders an event's payload from the current state (a deleted item becomes a delete).
pub async fn render_event(svc: &Services, rec: &LiveEventRecord) -> Arc<LiveEvent> {
    let (kind, data) = match rec.channel.as_str() {
        FEED_CHANNEL => feed_payload(svc, rec).await,
        c if c.starts_with("comments:") => comment_payload(svc, rec).await,
        _ => (
            "delete",
            serde_json::json!({ "item": rec.target_id }).to_string(),
        ),
    };
    Arc::new(LiveEvent {
        id: rec.id,
        channel: rec.channel.clone(),
        kind,
        data: data.into(),
    })
}

async fn feed_payload(svc: &Services, rec: &LiveEventRecord) -> (&'static str, String) {
    let item = match svc.store.feed_item(rec.target_id).await {
        Ok(Some(item)) if rec.kind == "upsert" && !item.deleted => item,
        _ => {
            return (
                "delete",
                serde_json::json!({ "item": rec.target_id }).to_string(),
            );
        }
    };
    ("upsert", feed_item_json(svc, &item))
}

async fn comment_payload(svc: &Services, rec: &LiveEventRecord) -> (&'static str, String) {
    let gone = || {
        (
            "delete",
            serde_json::json!({ "item": rec.target_id }).to_string(),
        )
    };
    let Ok(Some(c)) = svc.store.comment(rec.target_id).await else {
        return gone();
    };
    if rec.kind != "upsert" || c.status != "approved" {
        return gone();
    }
    let view = crate::server::comments::public_view(svc, &c);
    let rules = &svc.config.comments;
    let Some(html) = render_safely(|| {
        crate::app::components::comments::render_comment_html(
            &view,
            c.article_id,
            &svc.site,
            rules.max_depth,
            rules.max_length,
        )
    }) else {
        return gone();
    };
    (
        "upsert",
        serde_json::json!({
            "item": c.id,
            "parent": c.parent_id,
            "headline": format!("New comment by {}", c.author),
            "html": html,
        })
        .to_string(),
    )
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
        channel_stream(svc, crate::server::comments::channel(article_id), after),
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

/// Runs a renderer, turning a panic into `None` (logged): one bad item must never stop the
/// sequencer, which every open page depends on.
fn render_safely(render: impl FnOnce() -> String) -> Option<String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(render)) {
        Ok(html) => Some(html),
        Err(_) => {
            tracing::error!("rendering a live item panicked; the item is skipped");
            None
        }
    }
}

/// The JSON a reader's page gets for a new or changed item: the same HTML the server renders.
pub fn feed_item_json(svc: &Services, item: &FeedItem) -> String {
    serde_json::json!({
        "item": item.id,
        "key": item.key_event,
        "pinned": item.pinned,
        "headline": item.headline,
        "html": render_safely(|| crate::app::components::feed::render_item_html(item, &svc.site))
            .unwrap_or_default(),
    })
    .to_string()
}

/// Reads the log in order and broadcasts; runs until shutdown.
pub fn spawn_sequencer(svc: Arc<Services>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut shutdown = svc.live.shutdown.clone();
        loop {
            let after = svc.live.last_id();
            match svc.store.all_live_events_after(after, 500).await {
                Ok(events) => {
                    let full = events.len() == 500;
                    for rec in events {
                        let ev = render_event(&svc, &rec).await;
                        svc.live.publish(ev);
                    }
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
        .event(e.kind)
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
async fn replay(svc: &Services, channel: &str, after: i64) -> Option<Vec<Arc<LiveEvent>>> {
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
    channel: String,
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
                match replay(&svc, &channel, last).await {
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
                        match replay(&svc, &channel, last).await {
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
        channel_stream(svc, FEED_CHANNEL.to_owned(), after),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_id_wins_over_the_query() {
        let mut h = HeaderMap::new();
        let p = StreamParams { after: Some(5) };
        assert_eq!(resume_point(&h, &p, 99), 5);
        h.insert("last-event-id", HeaderValue::from_static("7"));
        assert_eq!(resume_point(&h, &p, 99), 7);
        assert_eq!(
            resume_point(&HeaderMap::new(), &StreamParams::default(), 99),
            99
        );
    }

    #[test]
    fn the_ring_answers_replays_it_can_cover() {
        let bus = LiveBus::new(0);
        for id in 1..=3 {
            bus.publish(Arc::new(LiveEvent {
                id,
                channel: FEED_CHANNEL.into(),
                kind: "upsert",
                data: "{}".into(),
            }));
        }
        let ids: Vec<i64> = bus
            .recent_after(FEED_CHANNEL, 1)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec![2, 3]);
        assert!(bus.recent_after("comments:1", 0).unwrap().is_empty());
        assert_eq!(bus.last_id(), 3);
    }
}
