//! Limits, leases and retention on SQLite.

use super::SqliteStore;
use crate::server::store::{Cutoffs, Pruned, SecurityStore, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl SecurityStore for SqliteStore {
    async fn refund_rate_limit(&self, key: &str, window_start: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE rate_limits SET hits = hits - 1
             WHERE key = $1 AND window_start = $2 AND hits > 0",
        )
        .bind(key)
        .bind(window_start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

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
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn next_live_event_id(&self, after: i64) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(id) FROM live_events WHERE id > $1")
                .bind(after)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn prune(&self, c: Cutoffs) -> StoreResult<Pruned> {
        let run = |sql: &'static str, at: DateTime<Utc>| async move {
            Ok::<u64, sqlx::Error>(
                sqlx::query(sql)
                    .bind(at)
                    .execute(&self.pool)
                    .await?
                    .rows_affected(),
            )
        };
        let sessions =
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(c.now)
                .bind(c.idle_sessions)
                .execute(&self.pool)
                .await?
                .rows_affected();
        Ok(Pruned {
            sessions,
            reader_sessions: run("DELETE FROM reader_sessions WHERE expires_at <= $1", c.now)
                .await?,
            reader_links: run(
                "DELETE FROM reader_links WHERE expires_at <= $1 OR used_at <= $1",
                c.reader_links,
            )
            .await?,
            flashes: run("DELETE FROM flashes WHERE expires_at <= $1", c.now).await?,
            rate_limits: run(
                "DELETE FROM rate_limits WHERE window_start < $1",
                c.rate_limits,
            )
            .await?,
            // The newest event stays: it is where a restarted server continues counting.
            live_events: run(
                "DELETE FROM live_events WHERE created_at < $1
                   AND id < (SELECT MAX(id) FROM live_events)",
                c.live_events,
            )
            .await?,
            comment_reports: run(
                "DELETE FROM comment_reports WHERE resolved AND created_at < $1",
                c.resolved_reports,
            )
            .await?,
        })
    }
}
