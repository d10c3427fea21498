//! Leases and retention on SQLite.

use super::SqliteStore;
use crate::server::store::{Cutoffs, Pruned, RetentionStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl RetentionStore for SqliteStore {
    async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // One statement, so two nodes cannot both see the lease free (PostgreSQL: the same).
        let claimed = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE leases.expires_at <= $4",
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn prune(&self, c: Cutoffs) -> StoreResult<Pruned> {
        let mut conn = self.conn().await?;
        let sessions =
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(c.now)
                .bind(c.idle_sessions)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        let mut run = async |sql: &'static str, at: DateTime<Utc>| -> StoreResult<u64> {
            Ok(sqlx::query(sql)
                .bind(at)
                .execute(&mut *conn)
                .await?
                .rows_affected())
        };
        let reader_sessions =
            run("DELETE FROM reader_sessions WHERE expires_at <= $1", c.now).await?;
        let reader_links = run(
            "DELETE FROM reader_links WHERE expires_at <= $1 OR used_at <= $1",
            c.reader_links,
        )
        .await?;
        let flashes = run("DELETE FROM flashes WHERE expires_at <= $1", c.now).await?;
        let rate_limits = run(
            "DELETE FROM rate_limits WHERE window_start < $1",
            c.rate_limits,
        )
        .await?;
        // The newest event stays: it is where a restarted server continues counting.
        let live_events = run(
            "DELETE FROM live_events WHERE created_at < $1
               AND id < (SELECT MAX(id) FROM live_events)",
            c.live_events,
        )
        .await?;
        let comment_reports = run(
            "DELETE FROM comment_reports WHERE resolved AND created_at < $1",
            c.resolved_reports,
        )
        .await?;
        Ok(Pruned {
            sessions,
            reader_sessions,
            reader_links,
            flashes,
            rate_limits,
            live_events,
            comment_reports,
        })
    }
}
