//! Newsletter issues as stored on SQLite: one with its bodies, or the newest with their
//! sending progress.

use crate::{
    model::{IssueState, IssueSummary},
    server::store::{IssueRecord, StoreResult},
};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// id, newsletter, subject, intro, article ids, html, text, state.
type IssueRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    IssueState,
);
/// id, newsletter, subject, state, created, deliveries, sent, failed.
type SummaryRow = (
    i64,
    String,
    String,
    IssueState,
    DateTime<Utc>,
    i64,
    i64,
    i64,
);

/// One issue with its bodies.
pub(super) async fn one(conn: &mut SqliteConnection, id: i64) -> StoreResult<Option<IssueRecord>> {
    let row: Option<IssueRow> = sqlx::query_as(
        "SELECT id, newsletter, subject, intro_md, article_ids, html, text, status
                 FROM newsletter_issues WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(
        |(id, newsletter, subject, intro_md, ids, html, text, status)| IssueRecord {
            id,
            newsletter,
            subject,
            intro_md,
            article_ids: ids.split(',').filter_map(|s| s.parse().ok()).collect(),
            html,
            text,
            status,
        },
    ))
}

/// The newest issues with their sending progress.
pub(super) async fn newest(
    conn: &mut SqliteConnection,
    limit: u32,
) -> StoreResult<Vec<IssueSummary>> {
    let rows: Vec<SummaryRow> =
            sqlx::query_as(
                "SELECT i.id, i.newsletter, i.subject, i.status, i.created_at,
                     (SELECT COUNT(*) FROM deliveries d WHERE d.issue_id = i.id),
                     (SELECT COUNT(*) FROM deliveries d WHERE d.issue_id = i.id AND d.status = 'sent'),
                     (SELECT COUNT(*) FROM deliveries d WHERE d.issue_id = i.id AND d.status = 'failed')
                 FROM newsletter_issues i ORDER BY i.created_at DESC, i.id DESC LIMIT $1",
            )
            .bind(limit as i64)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, newsletter, subject, status, created_at, total, sent, failed)| IssueSummary {
                id,
                newsletter,
                subject,
                status,
                created_at,
                total: total as u64,
                sent: sent as u64,
                failed: failed as u64,
            },
        )
        .collect())
}
