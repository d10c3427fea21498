//! One change, one transaction: a failure injected between the writes of a change leaves the
//! database exactly as it was — no row of the change, no live event, no audit entry.
//!
//! Failures are injected for real, inside the database: a trigger that aborts one of the
//! change's later statements (`RAISE(ABORT)`), so every earlier write of the same change has
//! already succeeded when it fires. Each test then drops the trigger and shows that the same
//! change goes through, so the injected failure is what stopped it.

use crate::{
    model::{ArticleStatus, CommentStatus, ModerationAction, ReaderInfo, Role, SubscriptionState},
    server::{
        articles::{ArticleForm, Intent, save_article},
        comments::{self, Posted},
        newsletters,
        state::Services,
        store::Listing,
    },
    testkit::TestApp,
};
use sqlx::{Row, SqlitePool};

const IP: &str = "198.51.100.7";

/// A second connection to the test database, for triggers and snapshots.
async fn raw(svc: &Services) -> SqlitePool {
    SqlitePool::connect(&svc.config.storage.database_url)
        .await
        .expect("open the test database")
}

/// Every row of every table, as text, sorted: two equal snapshots mean nothing changed.
/// Rate-limit windows are left out: they count attempts, failed ones too, by design.
async fn snapshot(pool: &SqlitePool) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND name NOT LIKE '_sqlx%' AND name <> 'rate_limits' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{t}')"
        )))
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        if columns.is_empty() {
            continue;
        }
        let row_text = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let mut rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT '{t}: ' || {row_text} FROM \"{t}\""
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        rows.sort();
        out.extend(rows);
    }
    out
}

/// Makes every insert into `table` fail (when `when` holds for the new row).
async fn fail_inserts(pool: &SqlitePool, table: &str, when: &str) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TRIGGER injected_failure BEFORE INSERT ON {table} WHEN {when}
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )))
    .execute(pool)
    .await
    .unwrap();
}

async fn heal(pool: &SqlitePool) {
    sqlx::query("DROP TRIGGER injected_failure")
        .execute(pool)
        .await
        .unwrap();
}

async fn app() -> TestApp {
    TestApp::new().await.with_articles(2).await
}

async fn first_article_id(svc: &Services) -> i64 {
    let cards = svc.store.published(Listing::Latest, 1, 0).await.unwrap();
    cards[0].id
}

/// A reader with a display name whose comments are published at once (approved before).
async fn trusted_reader(app: &TestApp) -> ReaderInfo {
    let svc = &app.svc;
    let id = svc
        .store
        .ensure_reader("trusted@example.org", svc.clock.now())
        .await
        .unwrap();
    svc.store.set_display_name(id, "Trusted").await.unwrap();
    let reader = svc.store.reader(id).await.unwrap().unwrap();
    let article = first_article_id(svc).await;
    let editor = app.staff(Role::Editor).await;
    let Posted::Held(first) = comments::post(svc, &reader, article, None, "Hello all.", "", IP)
        .await
        .unwrap()
    else {
        panic!("a new commenter is held first");
    };
    comments::moderate(svc, &editor, first, ModerationAction::Approve)
        .await
        .unwrap();
    reader
}

#[tokio::test]
async fn a_comment_whose_live_event_fails_is_not_posted() {
    let app = app().await;
    let svc = &app.svc;
    let reader = trusted_reader(&app).await;
    let article = first_article_id(svc).await;
    let pool = raw(svc).await;
    fail_inserts(&pool, "live_events", "1").await;
    let before = snapshot(&pool).await;

    let posted = comments::post(svc, &reader, article, None, "Second thoughts.", "", IP).await;
    assert!(posted.is_err(), "the injected failure stops the post");
    assert_eq!(
        snapshot(&pool).await,
        before,
        "no comment, no counter, no event"
    );

    heal(&pool).await;
    let posted = comments::post(svc, &reader, article, None, "Second thoughts.", "", IP)
        .await
        .unwrap();
    assert!(matches!(posted, Posted::Published(_)));
}

#[tokio::test]
async fn a_moderation_decision_whose_audit_entry_fails_changes_nothing() {
    let app = app().await;
    let svc = &app.svc;
    let editor = app.staff(Role::Editor).await;
    let article = first_article_id(svc).await;
    let id = svc
        .store
        .ensure_reader("new@example.org", svc.clock.now())
        .await
        .unwrap();
    svc.store.set_display_name(id, "Newcomer").await.unwrap();
    let newcomer = svc.store.reader(id).await.unwrap().unwrap();
    let Posted::Held(comment) = comments::post(svc, &newcomer, article, None, "Hi.", "", IP)
        .await
        .unwrap()
    else {
        panic!("held");
    };
    let pool = raw(svc).await;
    // The decision writes the status, the thread's counters, the reports, the live event and
    // then the audit entry: the last one fails.
    fail_inserts(&pool, "audit_log", "1").await;
    let before = snapshot(&pool).await;

    let decided = comments::moderate(svc, &editor, comment, ModerationAction::Approve).await;
    assert!(decided.is_err());
    assert_eq!(
        snapshot(&pool).await,
        before,
        "still waiting, no event, no entry"
    );
    let c = svc.store.comment(comment).await.unwrap().unwrap();
    assert_eq!(c.status, CommentStatus::Pending);

    heal(&pool).await;
    comments::moderate(svc, &editor, comment, ModerationAction::Approve)
        .await
        .unwrap();
    let c = svc.store.comment(comment).await.unwrap().unwrap();
    assert_eq!(c.status, CommentStatus::Approved);
}

#[tokio::test]
async fn a_publish_whose_audit_entry_fails_leaves_the_draft_as_it_was() {
    let app = app().await;
    let svc = &app.svc;
    let editor = app.staff(Role::Editor).await;
    let author = svc.store.authors().await.unwrap()[0].slug.clone();
    let draft = save_article(
        svc,
        &editor,
        ArticleForm {
            title: "Harbour lights switched on".into(),
            section: "news".into(),
            authors: vec![author.clone()],
            tags: "Harbour".into(),
            body: "The lights came on at dusk.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let pool = raw(svc).await;
    fail_inserts(&pool, "audit_log", "NEW.action = 'publish'").await;
    let before = snapshot(&pool).await;

    let publish = ArticleForm {
        id: Some(draft.id),
        version: draft.version,
        title: "Harbour lights switched on".into(),
        section: "news".into(),
        authors: vec![author],
        tags: "Harbour, Night life".into(),
        body: "The lights came on at dusk, to applause.".into(),
        intent: Intent::Publish,
        ..Default::default()
    };
    assert!(save_article(svc, &editor, publish.clone()).await.is_err());
    assert_eq!(
        snapshot(&pool).await,
        before,
        "no new version, revision, tag or audit entry"
    );
    let a = svc.store.article_by_id(draft.id).await.unwrap().unwrap();
    assert_eq!(a.status, ArticleStatus::Draft);

    heal(&pool).await;
    let saved = save_article(svc, &editor, publish).await.unwrap();
    assert_eq!(saved.status, ArticleStatus::Published);
}

#[tokio::test]
async fn a_confirmation_that_fails_halfway_confirms_nothing() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    let letters: Vec<String> = svc
        .site
        .newsletters
        .iter()
        .take(2)
        .map(|n| n.slug.clone())
        .collect();
    assert_eq!(letters.len(), 2, "the demo configures several newsletters");
    newsletters::subscribe(svc, "pat@example.org", &letters, "", IP)
        .await
        .unwrap();
    let id = svc
        .store
        .subscriber_by_email("pat@example.org")
        .await
        .unwrap()
        .unwrap();
    let token = newsletters::confirm_token(svc, id, "pat@example.org", &letters);
    let pool = raw(svc).await;
    // The first subscription is confirmed, then the second one's update fails.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TRIGGER injected_failure BEFORE UPDATE ON subscriptions
         WHEN NEW.newsletter = '{}' AND NEW.status = 'confirmed'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        letters[1]
    )))
    .execute(&pool)
    .await
    .unwrap();
    let before = snapshot(&pool).await;

    assert!(newsletters::confirm(svc, &token).await.is_err());
    assert_eq!(
        snapshot(&pool).await,
        before,
        "neither subscription confirmed"
    );

    heal(&pool).await;
    newsletters::confirm(svc, &token).await.unwrap();
    let states = svc.store.subscriptions_of(id).await.unwrap();
    assert!(
        states
            .iter()
            .all(|(_, s)| *s == SubscriptionState::Confirmed),
        "{states:?}"
    );
}

#[tokio::test]
async fn a_unit_of_work_that_is_dropped_writes_nothing() {
    let app = app().await;
    let svc = &app.svc;
    let pool = raw(svc).await;
    let before = snapshot(&pool).await;
    {
        let tx = svc.store.begin().await.unwrap();
        tx.ensure_tag("never-committed", "Never committed")
            .await
            .unwrap();
        tx.log_live_event(
            crate::model::Channel::NewsFeed,
            crate::model::LiveKind::Upsert,
            1,
            svc.clock.now(),
        )
        .await
        .unwrap();
        // Dropped here without commit.
    }
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(svc.store.last_live_event_id().await.unwrap(), 0);
}
