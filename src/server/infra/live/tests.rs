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
            channel: Channel::NewsFeed,
            kind: LiveKind::Upsert,
            data: "{}".into(),
        }));
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
