//! Item 6: live streams without limits: full-history replays and unlimited connections.

use super::from_peer;
use crate::{
    model::{Channel, LiveKind},
    testkit::TestApp,
};
use axum::{
    body::{Body, Bytes},
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn open(app: &TestApp, peer: &str, query: &str) -> axum::response::Response {
    let req = Request::get(format!("/live/feed{query}"))
        .header("accept", "text/event-stream")
        .body(Body::empty())
        .unwrap();
    app.router
        .clone()
        .oneshot(from_peer(req, peer))
        .await
        .unwrap()
}

/// The `event:` names of SSE blocks read within a second (or until the stream ends).
async fn event_names(body: &mut Body) -> Vec<String> {
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame()).await;
        let Ok(Some(Ok(frame))) = frame else { break };
        if let Ok(data) = frame.into_data() {
            let data: Bytes = data;
            buf.push_str(&String::from_utf8_lossy(&data));
        }
    }
    buf.split("\n\n")
        .filter_map(|block| {
            block
                .lines()
                .find_map(|l| l.strip_prefix("event: ").map(str::to_owned))
        })
        .collect()
}

/// Item 6: `?after=0` does not replay a channel's whole history; a client that far behind is
/// told to reload the page.
#[tokio::test]
async fn a_client_far_behind_reloads_instead_of_replaying_everything() {
    let app = TestApp::new().await;
    let now = app.svc.clock.now();
    for i in 0..1500 {
        app.svc
            .store
            .log_live_event(Channel::NewsFeed, LiveKind::Delete, i, now)
            .await
            .unwrap();
    }
    // The sequencer has read them all (as it would have long before a reader came back).
    app.settle().await;
    let res = open(&app, "192.0.2.1", "?after=0").await;
    assert_eq!(res.status(), StatusCode::OK);
    let names = event_names(&mut res.into_body()).await;
    let replayed = names.iter().filter(|n| *n == "delete").count();
    assert!(replayed <= 1000, "{replayed} events replayed");
    assert_eq!(
        names.last().map(String::as_str),
        Some("reload"),
        "{:?}",
        &names[..names.len().min(5)]
    );

    // A client a few events behind is caught up as before.
    let res = open(&app, "192.0.2.1", "?after=1495").await;
    let names = event_names(&mut res.into_body()).await;
    assert_eq!(
        names.iter().filter(|n| *n == "delete").count(),
        5,
        "{names:?}"
    );
}

/// Item 6: one client cannot hold an unlimited number of live connections.
#[tokio::test]
async fn live_connections_are_capped_per_client() {
    let app = TestApp::new().await;
    let mut held = Vec::new();
    let mut refused = None;
    for _ in 0..200 {
        let res = open(&app, "2001:db8:7::1", "").await;
        if res.status() == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some(res);
            break;
        }
        held.push(res);
    }
    let refused = refused.expect("200 live connections from one client were all accepted");
    assert!(refused.headers().contains_key("retry-after"));
    // Another address in the same /64 is the same client; another network is not.
    assert_eq!(
        open(&app, "2001:db8:7::2", "").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(open(&app, "192.0.2.9", "").await.status(), StatusCode::OK);
    // Closing connections frees the allowance.
    held.clear();
    tokio::task::yield_now().await;
    assert_eq!(
        open(&app, "2001:db8:7::1", "").await.status(),
        StatusCode::OK
    );
}
