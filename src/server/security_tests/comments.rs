//! Items 3 and 10 (comments): an edit meets the same rules as a post; a deleted comment stays
//! deleted whatever a moderator clicks.

use crate::{
    model::{AppError, Channel, LiveKind, ModerationAction, ReaderInfo, Role},
    server::{
        comments::{Posted, delete, edit, moderate, post},
        state::{Clock, Services},
        store::Listing,
    },
    testkit::TestApp,
};

const IP: &str = "203.0.113.9";

async fn app() -> TestApp {
    TestApp::with_config_and_clock(&[], Clock::manual(chrono::Utc::now()))
        .await
        .with_articles(2)
        .await
}

async fn article_id(svc: &Services) -> i64 {
    svc.store.published(Listing::Latest, 1, 0).await.unwrap()[0].id
}

/// Status as text, whether the store gives a string or an enum.
async fn status(svc: &Services, id: i64) -> String {
    let c = svc.store.comment(id).await.unwrap().unwrap();
    format!("{:?}", c.status).to_lowercase()
}

/// A reader whose comments are published at once.
async fn trusted(app: &TestApp, email: &str) -> ReaderInfo {
    let svc = &app.svc;
    let id = svc
        .store
        .ensure_reader(email, svc.clock.now())
        .await
        .unwrap();
    svc.store.set_display_name(id, "Regular").await.unwrap();
    let r = svc.store.reader(id).await.unwrap().unwrap();
    let editor = app.staff(Role::Editor).await;
    let a = article_id(svc).await;
    let Posted::Held(first) = post(svc, &r, a, None, "My first comment here.", "", IP)
        .await
        .unwrap()
    else {
        panic!("first comment is held");
    };
    moderate(svc, &editor, first, ModerationAction::Approve)
        .await
        .unwrap();
    r
}

/// Item 3: an approved commenter cannot edit spam into an approved comment.
#[tokio::test]
async fn editing_a_comment_applies_the_posting_rules() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "regular@example.org").await;
    let a = article_id(svc).await;
    for (i, spam) in [
        "Great article! https://a.example https://b.example https://c.example https://d.example",
        "Great article! Try this crypto giveaway today.",
    ]
    .iter()
    .enumerate()
    {
        let Posted::Published(id) =
            post(svc, &r, a, None, &format!("Fair point number {i}."), "", IP)
                .await
                .unwrap()
        else {
            panic!("a trusted reader's comment is published");
        };
        assert!(status(svc, id).await.contains("approved"));
        edit(svc, &r, id, spam, IP).await.unwrap();
        let s = status(svc, id).await;
        assert!(s.contains("pending"), "edited into {spam:?}, status {s}");
        // It left open pages too: the last event for it is a delete.
        let events = svc
            .store
            .live_events_after(Channel::Comments(a), 0, 1000)
            .await
            .unwrap();
        let last = events.iter().rev().find(|e| e.target_id == id).unwrap();
        assert_eq!(last.kind, LiveKind::Delete);
    }
}

/// Item 3: edits are rate limited like posts.
#[tokio::test]
async fn edits_are_rate_limited() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "fast@example.org").await;
    let a = article_id(svc).await;
    let Posted::Published(id) = post(svc, &r, a, None, "An opinion.", "", IP).await.unwrap() else {
        panic!("published");
    };
    let mut limited = false;
    for i in 0..40 {
        if let Err(AppError::RateLimited(_)) =
            edit(svc, &r, id, &format!("An opinion, take {i}."), IP).await
        {
            limited = true;
            break;
        }
    }
    assert!(limited, "40 edits in a row were all accepted");
}

/// Item 10: approving a comment its author deleted does not bring it back.
#[tokio::test]
async fn approving_a_deleted_comment_does_not_restore_it() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "regret@example.org").await;
    let editor = app.staff(Role::Editor).await;
    let a = article_id(svc).await;
    let Posted::Published(id) = post(svc, &r, a, None, "Something I regret.", "", IP)
        .await
        .unwrap()
    else {
        panic!("published");
    };
    delete(svc, &r, id).await.unwrap();
    for action in [ModerationAction::Approve, ModerationAction::Feature] {
        assert!(
            moderate(svc, &editor, id, action).await.is_err(),
            "{action:?}"
        );
        assert!(status(svc, id).await.contains("deleted"), "{action:?}");
    }
}
