use super::*;
use crate::model::LiveKind;
use crate::testkit::TestApp;

async fn editor(app: &TestApp) -> Viewer {
    app.staff(Role::Editor).await
}

fn form(headline: &str) -> FeedItemForm {
    FeedItemForm {
        headline: headline.into(),
        body: "**Ferry** delayed <script>alert(1)</script>".into(),
        tags: "Ferries".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn posting_editing_and_deleting_are_logged_in_order() {
    let app = TestApp::seeded(1).await;
    let ed = editor(&app).await;
    let head = app.svc.store.last_live_event_id().await.unwrap();
    let id = post(&app.svc, &ed, form("First")).await.unwrap();
    let mut edit = form("First, corrected");
    edit.id = Some(id);
    post(&app.svc, &ed, edit).await.unwrap();
    delete(&app.svc, &ed, id).await.unwrap();
    let events = app
        .svc
        .store
        .live_events_after(crate::model::Channel::NewsFeed, head, 10)
        .await
        .unwrap();
    let kinds: Vec<_> = events.iter().map(|e| (e.kind, e.target_id)).collect();
    assert_eq!(
        kinds,
        vec![
            (LiveKind::Upsert, id),
            (LiveKind::Upsert, id),
            (LiveKind::Delete, id)
        ]
    );
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    let item = app.svc.store.feed_item(id).await.unwrap().unwrap();
    assert!(item.deleted && item.edited);
    assert!(!item.body_html.contains("<script"));
    assert_eq!(super::item(&app.svc, id).await.unwrap_err(), AppError::Gone);
}

#[tokio::test]
async fn only_editors_post_and_bad_updates_are_refused() {
    let app = TestApp::seeded(1).await;
    let mut contributor = editor(&app).await;
    contributor.role = Role::Contributor;
    assert_eq!(
        post(&app.svc, &contributor, form("x")).await.unwrap_err(),
        AppError::Forbidden
    );
    let ed = editor(&app).await;
    let mut bad = form(&"h".repeat(500));
    bad.article = "no-such-story".into();
    bad.body = "b".repeat(3000);
    let e = post(&app.svc, &ed, bad).await.unwrap_err();
    for f in ["headline", "article", "body"] {
        assert!(e.for_field(f).is_some(), "{f}: {e:?}");
    }
}

#[tokio::test]
async fn pages_paginate_and_pinned_items_lead() {
    let app = TestApp::seeded(1).await;
    let ed = editor(&app).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut f = form(&format!("Update {i}"));
        f.key_event = i % 2 == 0;
        ids.push(post(&app.svc, &ed, f).await.unwrap());
    }
    set_pinned(&app.svc, &ed, ids[0], true).await.unwrap();
    let first = feed_page(&app.svc, None, false, 3).await.unwrap();
    assert_eq!(first.items[0].id, ids[0], "pinned first");
    assert_eq!(first.items[1].id, ids[4]);
    let older = first.older.unwrap();
    let second = feed_page(&app.svc, Some(older), false, 3).await.unwrap();
    assert!(second.items.iter().all(|i| i.id < older));
    assert!(second.paged);
    let keys = feed_page(&app.svc, None, true, 10).await.unwrap();
    assert!(keys.items.iter().all(|i| i.key_event));
    assert_eq!(keys.items.len(), 3);
}
