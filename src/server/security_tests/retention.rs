//! Item 11: tables that grow forever.

use super::db;
use crate::{
    model::{Channel, LiveKind},
    testkit::TestApp,
};
use chrono::{Duration, Utc};

async fn count(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Item 11: housekeeping prunes old live events, used and expired reader links, expired reader
/// sessions and long-resolved comment reports (besides sessions, flashes and rate limits).
#[tokio::test]
async fn housekeeping_prunes_every_table_that_grows() {
    let app = TestApp::seeded(1).await;
    let pool = db(&app).await;
    let long_ago = Utc::now() - Duration::days(400);
    let now = Utc::now();
    for i in 0..20 {
        app.svc
            .store
            .log_live_event(Channel::NewsFeed, LiveKind::Delete, i, long_ago)
            .await
            .unwrap();
    }
    app.svc
        .store
        .log_live_event(Channel::NewsFeed, LiveKind::Delete, 99, now)
        .await
        .unwrap();
    let reader: i64 = sqlx::query_scalar("SELECT id FROM readers LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let comment: i64 = sqlx::query_scalar("SELECT id FROM comments LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO reader_links (token_hash, email, next, created_at, expires_at)
         VALUES ('old-link', 'r@example.org', '/', $1, $1)",
    )
    .bind(long_ago)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO reader_sessions (id_hash, reader_id, created_at, last_seen_at, expires_at)
         VALUES ('old-session', $1, $2, $2, $2)",
    )
    .bind(reader)
    .bind(long_ago)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO comment_reports (comment_id, reporter, reason, created_at, resolved)
         VALUES ($1, 'ip:x', 'spam', $2, TRUE)",
    )
    .bind(comment)
    .bind(long_ago)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO flashes (token_hash, data, expires_at) VALUES ('old', '{}', $1)")
        .bind(long_ago)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO rate_limits (key, window_start, hits) VALUES ('old', $1, 3)")
        .bind(long_ago)
        .execute(&pool)
        .await
        .unwrap();

    crate::server::jobs::housekeeping(&app.svc).await;

    for (table, sql) in [
        (
            "live_events",
            "SELECT COUNT(*) FROM live_events WHERE target_id < 20 AND channel = 'feed'",
        ),
        (
            "reader_links",
            "SELECT COUNT(*) FROM reader_links WHERE token_hash = 'old-link'",
        ),
        (
            "reader_sessions",
            "SELECT COUNT(*) FROM reader_sessions WHERE id_hash = 'old-session'",
        ),
        (
            "comment_reports",
            "SELECT COUNT(*) FROM comment_reports WHERE reporter = 'ip:x'",
        ),
        (
            "flashes",
            "SELECT COUNT(*) FROM flashes WHERE token_hash = 'old'",
        ),
        (
            "rate_limits",
            "SELECT COUNT(*) FROM rate_limits WHERE key = 'old'",
        ),
    ] {
        assert_eq!(count(&pool, sql).await, 0, "{table} kept old rows");
    }
    // The newest event stays, so event ids keep counting up after a restart.
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM live_events WHERE target_id = 99"
        )
        .await,
        1
    );
}

/// Item 11: with several nodes on one database, one cleanup runs per period.
#[tokio::test]
async fn cleanup_runs_on_one_node_at_a_time() {
    let app = TestApp::new().await;
    let other_node = crate::server::state::Services::build(
        (*app.svc.config).clone(),
        crate::server::store::open(&app.svc.config.storage.database_url)
            .await
            .unwrap(),
        app.svc.clock.clone(),
    )
    .await
    .unwrap();
    let (a, b) = tokio::join!(
        crate::server::retention::run_if_due(&app.svc),
        crate::server::retention::run_if_due(&other_node)
    );
    let ran = [a.unwrap(), b.unwrap()]
        .iter()
        .filter(|r| r.is_some())
        .count();
    assert_eq!(ran, 1, "both nodes cleaned up at once");
    // Within the period nobody runs again; after it, one does.
    assert!(
        crate::server::retention::run_if_due(&app.svc)
            .await
            .unwrap()
            .is_none()
    );
}
