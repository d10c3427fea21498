//! The highlights snapshot (front page lists, rails, News Feed column) is dropped by changes,
//! on the node where they happen at once and on every other node through the live log.

use crate::{
    model::{ArticleStatus, Role},
    server::articles::{ArticleForm, Intent, save_article},
    testkit::TestApp,
};
use std::time::{Duration, Instant};

fn story(title: &str) -> ArticleForm {
    ArticleForm {
        title: title.into(),
        dek: "A standfirst for the test story.".into(),
        section: "news".into(),
        tags: "Ferries".into(),
        authors: vec!["samuel-achterberg".into()],
        body: "The ferry is back on time.".into(),
        ..Default::default()
    }
}

/// Polls `app`'s front page until `wanted(body)` holds, for at most `within`.
async fn front_until(app: &TestApp, within: Duration, wanted: impl Fn(&str) -> bool) -> bool {
    let start = Instant::now();
    loop {
        let res = app.get("/").await;
        assert_eq!(res.status, 200);
        if wanted(&res.body) {
            return true;
        }
        if start.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_edited_or_withdrawn_story_shows_at_once_here_and_soon_on_every_node() {
    let a = TestApp::seeded(3).await;
    let b = a.second_node().await;
    let ed = a.staff(Role::Editor).await;
    // Both nodes hold a snapshot without the story.
    assert!(!a.get("/").await.body.contains("Tideline ferry returns"));
    assert!(!b.get("/").await.body.contains("Tideline ferry returns"));

    let draft = save_article(&a.svc, &ed, story("Tideline ferry returns"))
        .await
        .unwrap();
    let mut f = story("Tideline ferry returns");
    f.id = Some(draft.id);
    f.version = draft.version;
    f.intent = Intent::Publish;
    let published = save_article(&a.svc, &ed, f.clone()).await.unwrap();
    assert_eq!(published.status, ArticleStatus::Published);
    // On the editor's node, the very next request (no waiting).
    assert!(a.get("/").await.body.contains("Tideline ferry returns"));
    assert!(
        front_until(&b, Duration::from_secs(3), |p| p
            .contains("Tideline ferry returns"))
        .await,
        "the other node never showed the new story"
    );

    // An edited headline replaces the old one everywhere.
    f.title = "Tideline ferry returns at dawn".into();
    f.version = published.version;
    f.intent = Intent::Save;
    let edited = save_article(&a.svc, &ed, f.clone()).await.unwrap();
    assert!(
        a.get("/")
            .await
            .body
            .contains("Tideline ferry returns at dawn")
    );
    assert!(
        front_until(&b, Duration::from_secs(3), |p| p
            .contains("Tideline ferry returns at dawn"))
        .await,
        "the other node kept the old headline"
    );

    // Withdrawn: gone from both fronts.
    f.version = edited.version;
    f.intent = Intent::Unpublish;
    save_article(&a.svc, &ed, f).await.unwrap();
    assert!(!a.get("/").await.body.contains("Tideline ferry returns"));
    assert!(
        front_until(&b, Duration::from_secs(3), |p| !p
            .contains("Tideline ferry returns"))
        .await,
        "the other node still shows a withdrawn story"
    );
}

#[tokio::test]
async fn saving_a_draft_leaves_the_snapshot_alone() {
    let app = TestApp::seeded(3).await;
    let ed = app.staff(Role::Editor).await;
    app.get("/").await;
    app.settle().await;
    let before = app.svc.live.changes();
    save_article(&app.svc, &ed, story("A draft nobody sees"))
        .await
        .unwrap();
    // Nothing readers see changed: no event, and every page's snapshot stays.
    let events = app.svc.store.all_live_events_after(0, 1000).await.unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.channel != crate::model::Channel::Site),
        "{events:?}"
    );
    assert_eq!(app.svc.live.changes(), before);
}
