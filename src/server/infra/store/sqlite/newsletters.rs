//! Newsletter subscriptions, issues and deliveries on SQLite.

use super::SqliteStore;
use crate::{
    model::{IssueSummary, SubscriberRow, SubscriptionState},
    server::store::{DueDelivery, IssueRecord, NewsletterStore, StoreError, StoreResult},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl NewsletterStore for SqliteStore {
    async fn subscribe(
        &self,
        email: &str,
        newsletters: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, Vec<String>)> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO subscribers (email, created_at) VALUES ($1, $2)
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(email)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM subscribers WHERE email = $1")
            .bind(email)
            .fetch_one(&mut *tx)
            .await?;
        let mut pending = Vec::new();
        for n in newsletters {
            // Confirmed stays confirmed; anything else (new, pending, unsubscribed) awaits a
            // fresh confirmation.
            let status: Option<SubscriptionState> = sqlx::query_scalar(
                "INSERT INTO subscriptions (subscriber_id, newsletter, status, requested_at)
                 VALUES ($1, $2, 'pending', $3)
                 ON CONFLICT (subscriber_id, newsletter) DO UPDATE
                 SET status = CASE WHEN subscriptions.status = 'confirmed' THEN 'confirmed'
                                   ELSE 'pending' END,
                     requested_at = CASE WHEN subscriptions.status = 'confirmed'
                                   THEN subscriptions.requested_at ELSE excluded.requested_at END
                 RETURNING status",
            )
            .bind(id)
            .bind(n)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if status == Some(SubscriptionState::Pending) {
                pending.push(n.clone());
            }
        }
        tx.commit().await?;
        Ok((id, pending))
    }

    async fn subscriber_email(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT email FROM subscribers WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn subscriber_by_email(&self, email: &str) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM subscribers WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn confirm(
        &self,
        id: i64,
        newsletters: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let mut changed = 0;
        for n in newsletters {
            changed += sqlx::query(
                "UPDATE subscriptions SET status = 'confirmed', confirmed_at = $1
                 WHERE subscriber_id = $2 AND newsletter = $3 AND status = 'pending'",
            )
            .bind(now)
            .bind(id)
            .bind(n)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    async fn subscriptions_of(&self, id: i64) -> StoreResult<Vec<(String, SubscriptionState)>> {
        Ok(sqlx::query_as(
            "SELECT newsletter, status FROM subscriptions WHERE subscriber_id = $1 ORDER BY newsletter",
        )
        .bind(id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn set_subscriptions(
        &self,
        id: i64,
        all: &[String],
        wanted: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for n in all {
            if wanted.contains(n) {
                // The address is verified: the preferences link reached its inbox.
                sqlx::query(
                    "INSERT INTO subscriptions (subscriber_id, newsletter, status, requested_at,
                         confirmed_at)
                     VALUES ($1, $2, 'confirmed', $3, $3)
                     ON CONFLICT (subscriber_id, newsletter) DO UPDATE
                     SET status = 'confirmed',
                         confirmed_at = COALESCE(subscriptions.confirmed_at, excluded.confirmed_at)",
                )
                .bind(id)
                .bind(n)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = $1
                     WHERE subscriber_id = $2 AND newsletter = $3 AND status <> 'unsubscribed'",
                )
                .bind(now)
                .bind(id)
                .bind(n)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn unsubscribe(
        &self,
        id: i64,
        newsletter: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = $1
             WHERE subscriber_id = $2 AND ($3 IS NULL OR newsletter = $3)
               AND status <> 'unsubscribed'",
        )
        .bind(now)
        .bind(id)
        .bind(newsletter)
        .execute(&mut *self.conn().await?)
        .await?
        .rows_affected())
    }

    async fn expire_pending(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let n =
            sqlx::query("DELETE FROM subscriptions WHERE status = 'pending' AND requested_at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        sqlx::query(
            "DELETE FROM subscribers WHERE created_at < $1
               AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = subscribers.id)
               AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = subscribers.id)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn subscription_counts(&self) -> StoreResult<Vec<(String, SubscriptionState, u64)>> {
        let rows: Vec<(String, SubscriptionState, i64)> = sqlx::query_as(
            "SELECT newsletter, status, COUNT(*) FROM subscriptions GROUP BY newsletter, status",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.into_iter().map(|(n, s, c)| (n, s, c as u64)).collect())
    }

    async fn search_subscriptions(&self, q: &str, limit: u32) -> StoreResult<Vec<SubscriberRow>> {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows: Vec<(i64, String, String, SubscriptionState, DateTime<Utc>)> = sqlx::query_as(
            "SELECT s.id, s.email, sub.newsletter, sub.status, sub.requested_at
             FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
             WHERE s.email LIKE $1 ESCAPE '\\' ORDER BY s.email, sub.newsletter LIMIT $2",
        )
        .bind(pattern)
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, email, newsletter, status, since)| SubscriberRow {
                id,
                email,
                newsletter,
                status,
                since,
            })
            .collect())
    }

    async fn export_subscriptions(
        &self,
        newsletter: &str,
    ) -> StoreResult<Vec<(String, String, DateTime<Utc>, Option<DateTime<Utc>>)>> {
        Ok(sqlx::query_as(
            "SELECT s.email, sub.status, sub.requested_at, sub.confirmed_at
             FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
             WHERE sub.newsletter = $1 ORDER BY s.email",
        )
        .bind(newsletter)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn confirmed_count(&self, newsletter: &str) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM subscriptions WHERE newsletter = $1 AND status = 'confirmed'",
        )
        .bind(newsletter)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(n as u64)
    }

    async fn save_issue(
        &self,
        id: Option<i64>,
        newsletter: &str,
        subject: &str,
        intro_md: &str,
        article_ids: &[i64],
        html: &str,
        text: &str,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let ids = article_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        match id {
            None => Ok(sqlx::query_scalar(
                "INSERT INTO newsletter_issues (newsletter, subject, intro_md, article_ids, html,
                     text, status, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8) RETURNING id",
            )
            .bind(newsletter)
            .bind(subject)
            .bind(intro_md)
            .bind(ids)
            .bind(html)
            .bind(text)
            .bind(created_by)
            .bind(now)
            .fetch_one(&mut *self.conn().await?)
            .await?),
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE newsletter_issues SET newsletter = $1, subject = $2, intro_md = $3,
                         article_ids = $4, html = $5, text = $6
                     WHERE id = $7 AND status = 'draft'",
                )
                .bind(newsletter)
                .bind(subject)
                .bind(intro_md)
                .bind(ids)
                .bind(html)
                .bind(text)
                .bind(id)
                .execute(&mut *self.conn().await?)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Stale);
                }
                Ok(id)
            }
        }
    }

    async fn issue(&self, id: i64) -> StoreResult<Option<IssueRecord>> {
        super::issues::one(&mut *self.conn().await?, id).await
    }

    async fn issues(&self, limit: u32) -> StoreResult<Vec<IssueSummary>> {
        super::issues::newest(&mut *self.conn().await?, limit).await
    }

    async fn start_issue(&self, id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let newsletter: Option<String> = sqlx::query_scalar(
            "UPDATE newsletter_issues SET status = 'sending', started_at = $1
             WHERE id = $2 AND status = 'draft' RETURNING newsletter",
        )
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let newsletter = newsletter.ok_or(StoreError::Stale)?;
        let n = sqlx::query(
            "INSERT INTO deliveries (issue_id, subscriber_id, email, status, next_attempt_at)
             SELECT $1, s.id, s.email, 'pending', $2
             FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
             WHERE sub.newsletter = $3 AND sub.status = 'confirmed'
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(now)
        .bind(newsletter)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<DueDelivery>> {
        let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT d.issue_id, d.subscriber_id, d.email, d.attempts FROM deliveries d
             JOIN newsletter_issues i ON i.id = d.issue_id
             WHERE i.status = 'sending' AND d.status = 'pending' AND d.next_attempt_at <= $1
             ORDER BY d.issue_id, d.subscriber_id LIMIT $2",
        )
        .bind(now)
        .bind(limit as i64)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(issue_id, subscriber_id, email, attempts)| DueDelivery {
                issue_id,
                subscriber_id,
                email,
                attempts,
            })
            .collect())
    }

    async fn mark_sent(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE deliveries SET status = 'sent', sent_at = $1, attempts = attempts + 1
             WHERE issue_id = $2 AND subscriber_id = $3 AND status = 'pending'",
        )
        .bind(now)
        .bind(issue_id)
        .bind(subscriber_id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_retry(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        error: &str,
        next: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2
             WHERE issue_id = $3 AND subscriber_id = $4 AND status = 'pending'",
        )
        .bind(error)
        .bind(next)
        .bind(issue_id)
        .bind(subscriber_id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn revert_sent(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET status = CASE WHEN $1 IS NULL THEN 'failed' ELSE 'pending' END,
                 sent_at = NULL, last_error = $2, next_attempt_at = COALESCE($1, next_attempt_at)
             WHERE issue_id = $3 AND subscriber_id = $4 AND status = 'sent'",
        )
        .bind(retry_at)
        .bind(error)
        .bind(issue_id)
        .bind(subscriber_id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn mark_failed(&self, issue_id: i64, subscriber_id: i64, error: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $1
             WHERE issue_id = $2 AND subscriber_id = $3 AND status = 'pending'",
        )
        .bind(error)
        .bind(issue_id)
        .bind(subscriber_id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn finish_issues(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "UPDATE newsletter_issues SET status = 'sent', finished_at = $1
             WHERE status = 'sending'
               AND NOT EXISTS (SELECT 1 FROM deliveries d
                               WHERE d.issue_id = newsletter_issues.id AND d.status = 'pending')
             RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }
}
