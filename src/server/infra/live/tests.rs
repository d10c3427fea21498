use super::*;
use crate::testkit::TestApp;
use futures::StreamExt;

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

fn event(id: i64, channel: Channel) -> Arc<LiveEvent> {
    Arc::new(LiveEvent::new(
        id,
        channel,
        LiveKind::Upsert,
        format!("{{\"item\":{id}}}"),
    ))
}

#[test]
fn the_ring_answers_replays_it_can_cover() {
    let bus = LiveBus::new(0);
    for id in 1..=3 {
        bus.publish(event(id, Channel::NewsFeed));
    }
    let ids: Vec<i64> = bus
        .recent_after(Channel::NewsFeed, 1)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec![2, 3]);
    assert!(
        bus.recent_after(Channel::Comments(1), 0)
            .unwrap()
            .is_empty()
    );
    assert_eq!(bus.last_id(), 3);
}

#[test]
fn an_event_is_serialized_once_as_an_sse_frame() {
    let e = LiveEvent::new(42, Channel::NewsFeed, LiveKind::Upsert, "{\"a\":1}\nx");
    assert_eq!(
        &e.frame[..],
        b"id: 42\nevent: upsert\ndata: {\"a\":1}\ndata: x\n\n"
    );
}

async fn next(s: &mut LiveStream) -> Bytes {
    tokio::time::timeout(Duration::from_secs(2), s.next())
        .await
        .expect("a frame within two seconds")
        .expect("the stream is open")
        .unwrap()
}

#[tokio::test]
async fn subscribers_share_one_frame_and_resume_after_their_last_event() {
    let app = TestApp::new().await;
    let svc = app.svc.clone();
    let head = svc.live.last_id();
    let mut a = channel_stream(svc.clone(), Channel::NewsFeed, head, None);
    let mut b = channel_stream(svc.clone(), Channel::NewsFeed, head, None);
    assert_eq!(svc.live.connections(), 2);
    assert_eq!(&next(&mut a).await[..], HELLO);
    assert_eq!(&next(&mut b).await[..], HELLO);

    // A comment event is skipped by the feed's streams; the feed event reaches both, as the
    // very same allocation.
    svc.live.publish(event(head + 1, Channel::Comments(7)));
    svc.live.publish(event(head + 2, Channel::NewsFeed));
    let (fa, fb) = (next(&mut a).await, next(&mut b).await);
    assert!(fa.starts_with(format!("id: {}\n", head + 2).as_bytes()));
    assert_eq!(fa.as_ptr(), fb.as_ptr(), "one shared frame, not a copy");
    let ring = svc
        .live
        .recent
        .read()
        .unwrap()
        .back()
        .unwrap()
        .frame
        .clone();
    assert_eq!(fa.as_ptr(), ring.as_ptr());

    // A reader that comes back after `head + 2` gets only what followed.
    drop(b);
    assert_eq!(svc.live.connections(), 1);
    svc.live.publish(event(head + 3, Channel::NewsFeed));
    let mut resumed = channel_stream(svc.clone(), Channel::NewsFeed, head + 2, None);
    assert_eq!(&next(&mut resumed).await[..], HELLO);
    let f = next(&mut resumed).await;
    assert!(f.starts_with(format!("id: {}\n", head + 3).as_bytes()));
    assert!(
        next(&mut a)
            .await
            .starts_with(format!("id: {}\n", head + 3).as_bytes())
    );

    // A keep-alive tick reaches every open stream; shutdown ends them.
    svc.live.tick();
    assert_eq!(&next(&mut a).await[..], KEEP_ALIVE_FRAME);
    assert_eq!(&next(&mut resumed).await[..], KEEP_ALIVE_FRAME);
    svc.live.close_all();
    assert!(a.next().await.is_none());
}

#[tokio::test]
async fn a_stream_behind_the_ring_is_resynced_from_the_log() {
    let app = TestApp::new().await;
    let svc = app.svc.clone();
    let head = svc.live.last_id();
    let mut s = channel_stream(svc.clone(), Channel::NewsFeed, head, None);
    assert_eq!(&next(&mut s).await[..], HELLO);
    // The whole ring goes by before the stream is polled again: it is resynced from the log
    // (which has none of these test events, so there is nothing to send) and then follows the
    // ring again, rather than asking the log over and over.
    for id in 1..=(RING as i64 + 10) {
        svc.live.publish(event(head + id, Channel::Comments(1)));
    }
    let idle = tokio::time::timeout(Duration::from_millis(300), s.next()).await;
    assert!(idle.is_err(), "nothing to send: {idle:?}");
    let id = head + RING as i64 + 11;
    svc.live.publish(event(id, Channel::NewsFeed));
    assert!(
        next(&mut s)
            .await
            .starts_with(format!("id: {id}\n").as_bytes())
    );
}
