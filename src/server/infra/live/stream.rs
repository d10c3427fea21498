//! One reader's live connection: where it resumes, replay from the log, and the stream that
//! shares the bus's ready-made frames (see the parent module).

use super::*;
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

/// A replay from the log, in flight (boxed only while it runs: most connections never need
/// one).
type Replaying = Pin<Box<dyn Future<Output = Option<Vec<Arc<LiveEvent>>>> + Send>>;

/// Where a live stream is.
enum Phase {
    /// The first frame (retry delay) is due.
    Hello,
    /// Catch up after the resume point, from the ring or the log.
    Resume,
    /// Reading the log; `covers` is the bus's last id when the read started.
    Replaying(Replaying, i64),
    /// Replayed events still to send, newest first (popped from the back).
    Queue(Vec<Arc<LiveEvent>>),
    /// Following the ring.
    Live,
    /// The client must reload: say so, then end.
    Reload,
    Done,
}

/// One open live connection: an `Arc` to the services, a cursor into the shared ring and a
/// waiter on the bus. It yields the events' shared frames as they are; nothing is rendered or
/// copied per connection.
pub struct LiveStream {
    svc: Arc<Services>,
    channel: Channel,
    /// The newest event id sent (what `Last-Event-ID` will say).
    last: i64,
    /// The newest event id looked at (any channel).
    seen: i64,
    /// The keep-alive tick last answered.
    ticks: u64,
    phase: Phase,
    /// Created before every look at the ring, so no publish in between is missed.
    news: Pin<Box<OwnedNotified>>,
    _ticket: Option<crate::server::limits::LiveTicket>,
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        self.svc.live.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the ring holds for a stream.
enum Ring {
    /// The next event on the stream's channel.
    Next(Bytes),
    /// Nothing new.
    Nothing,
    /// Events the stream has not looked at were dropped from the ring: replay from the log.
    Behind,
}

impl LiveStream {
    fn next_in_ring(&mut self) -> Ring {
        let r = self
            .svc
            .live
            .recent
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let (Some(oldest), Some(newest)) = (r.front(), r.back()) else {
            return Ring::Nothing;
        };
        if newest.id <= self.seen {
            return Ring::Nothing;
        }
        if oldest.id > self.seen + 1 {
            return Ring::Behind;
        }
        let start = r.partition_point(|e| e.id <= self.seen);
        for e in r.range(start..) {
            self.seen = e.id;
            if e.channel == self.channel && e.id > self.last {
                self.last = e.id;
                return Ring::Next(e.frame.clone());
            }
        }
        Ring::Nothing
    }

    /// Starts catching up after `self.last`: from the ring at once when it reaches back that
    /// far, else from the log (see [`replay`]).
    fn resume(&mut self) {
        let bus = &self.svc.live;
        let covers = bus.last_id();
        let max = self.svc.config.limits.live_replay_events as usize;
        self.phase = match bus.recent_after(self.channel, self.last) {
            Some(events) if events.len() > max => Phase::Reload,
            Some(mut events) => {
                self.seen = self.seen.max(covers);
                events.reverse();
                Phase::Queue(events)
            }
            None => {
                let (svc, channel, after) = (self.svc.clone(), self.channel, self.last);
                Phase::Replaying(
                    Box::pin(async move { replay(&svc, channel, after).await }),
                    covers,
                )
            }
        };
    }
}

impl Stream for LiveStream {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.svc.live.is_closed() {
                this.phase = Phase::Done;
            }
            match &mut this.phase {
                Phase::Done => return Poll::Ready(None),
                Phase::Hello => {
                    this.phase = Phase::Resume;
                    return Poll::Ready(Some(Ok(Bytes::from_static(HELLO))));
                }
                Phase::Resume => this.resume(),
                Phase::Replaying(replaying, covers) => {
                    let covers = *covers;
                    match replaying.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(None) => this.phase = Phase::Reload,
                        Poll::Ready(Some(mut events)) => {
                            this.seen = this.seen.max(covers);
                            events.reverse();
                            this.phase = Phase::Queue(events);
                        }
                    }
                }
                Phase::Queue(queue) => match queue.pop() {
                    Some(ev) if ev.id > this.last => {
                        this.last = ev.id;
                        this.seen = this.seen.max(ev.id);
                        return Poll::Ready(Some(Ok(ev.frame.clone())));
                    }
                    Some(_) => {}
                    None => this.phase = Phase::Live,
                },
                Phase::Reload => {
                    this.last = TOLD_TO_RELOAD;
                    this.phase = Phase::Done;
                    return Poll::Ready(Some(Ok(Bytes::from_static(RELOAD_FRAME))));
                }
                Phase::Live => {
                    let ticks = this.svc.live.ticks.load(Ordering::Acquire);
                    if ticks != this.ticks {
                        this.ticks = ticks;
                        return Poll::Ready(Some(Ok(Bytes::from_static(KEEP_ALIVE_FRAME))));
                    }
                    match this.next_in_ring() {
                        Ring::Next(frame) => return Poll::Ready(Some(Ok(frame))),
                        Ring::Behind => {
                            // This reader fell behind the ring: resync it from the log.
                            tracing::debug!(last = this.last, "slow live client resynced");
                            this.resume();
                        }
                        Ring::Nothing => match this.news.as_mut().poll(cx) {
                            Poll::Pending => return Poll::Pending,
                            // Woken: wait again from now, then look (the loop).
                            Poll::Ready(()) => {
                                this.news.set(this.svc.live.news.clone().notified_owned())
                            }
                        },
                    }
                }
            }
        }
    }
}

/// Starts the keep-alive timer shared by every live connection (once per bus): each tick
/// wakes them all to write a comment. One timer instead of one per connection.
fn spawn_ticker(svc: Weak<Services>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(KEEP_ALIVE);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            let Some(svc) = svc.upgrade() else { break };
            if svc.live.is_closed() {
                break;
            }
            svc.live.tick();
        }
    });
}

/// A live stream for one channel: replay after the resume point, then follow the ring.
/// `ticket` (the connection's place under the caps) is kept for as long as the stream lives.
pub fn channel_stream(
    svc: Arc<Services>,
    channel: Channel,
    after: i64,
    ticket: Option<crate::server::limits::LiveTicket>,
) -> LiveStream {
    let bus = &svc.live;
    if !bus.ticker.swap(true, Ordering::AcqRel) {
        spawn_ticker(Arc::downgrade(&svc));
    }
    bus.connections.fetch_add(1, Ordering::Relaxed);
    let news = Box::pin(bus.news.clone().notified_owned());
    let ticks = bus.ticks.load(Ordering::Acquire);
    LiveStream {
        channel,
        last: after,
        seen: after,
        ticks,
        phase: Phase::Hello,
        news,
        _ticket: ticket,
        svc,
    }
}

/// Wraps a live stream in an SSE response with proxy-friendly headers (keep-alive comments
/// come from the stream itself, see [`spawn_ticker`]).
pub fn sse_response(stream: LiveStream) -> Response {
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    // nginx and friends must not buffer the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}
