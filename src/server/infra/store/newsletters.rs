//! Subscribers, their subscriptions, issues and per-recipient deliveries.

use super::StoreResult;
use crate::model::SubscriptionState;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A delivery waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub issue_id: i64,
    pub subscriber_id: i64,
    pub email: String,
    pub attempts: i64,
}

/// A stored newsletter issue.
#[derive(Debug, Clone)]
pub struct IssueRecord {
    pub id: i64,
    pub newsletter: String,
    pub subject: String,
    pub intro_md: String,
    pub article_ids: Vec<i64>,
    pub html: String,
    pub text: String,
    pub status: crate::model::IssueState,
}

/// Subscribers, their subscriptions, issues and per-recipient deliveries.
#[async_trait]
pub trait NewsletterStore: Send + Sync + 'static {
    /// Records a sign-up (one subscriber per address, one subscription per newsletter);
    /// returns the subscriber id and the newsletters that now await confirmation.
    async fn subscribe(
        &self,
        email: &str,
        newsletters: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, Vec<String>)>;
    /// A subscriber's address.
    async fn subscriber_email(&self, id: i64) -> StoreResult<Option<String>>;
    /// A subscriber by address.
    async fn subscriber_by_email(&self, email: &str) -> StoreResult<Option<i64>>;
    /// Confirms pending subscriptions; returns how many changed.
    async fn confirm(
        &self,
        id: i64,
        newsletters: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// (newsletter, status) for every subscription of a subscriber.
    async fn subscriptions_of(&self, id: i64) -> StoreResult<Vec<(String, SubscriptionState)>>;
    /// Sets exactly which newsletters a verified subscriber receives.
    async fn set_subscriptions(
        &self,
        id: i64,
        all: &[String],
        wanted: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Unsubscribes from one newsletter (or every one, with `None`).
    async fn unsubscribe(
        &self,
        id: i64,
        newsletter: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Deletes pending subscriptions requested before `before`; returns how many.
    async fn expire_pending(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// (newsletter, status, count) for every subscription.
    async fn subscription_counts(&self) -> StoreResult<Vec<(String, SubscriptionState, u64)>>;
    /// Subscriptions whose address contains `q`.
    async fn search_subscriptions(
        &self,
        q: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::SubscriberRow>>;
    /// Every subscription of one newsletter, for CSV export.
    async fn export_subscriptions(
        &self,
        newsletter: &str,
    ) -> StoreResult<Vec<(String, String, DateTime<Utc>, Option<DateTime<Utc>>)>>;
    /// Confirmed subscribers of a newsletter.
    async fn confirmed_count(&self, newsletter: &str) -> StoreResult<u64>;
    /// Saves an issue draft (new when `id` is None); returns its id.
    #[allow(clippy::too_many_arguments)]
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
    ) -> StoreResult<i64>;
    /// One issue.
    async fn issue(&self, id: i64) -> StoreResult<Option<IssueRecord>>;
    /// Issues with their progress, newest first.
    async fn issues(&self, limit: u32) -> StoreResult<Vec<crate::model::IssueSummary>>;
    /// Starts sending a draft: one pending delivery per confirmed subscriber, fixed now.
    async fn start_issue(&self, id: i64, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Deliveries whose time has come, of issues being sent.
    async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32)
    -> StoreResult<Vec<DueDelivery>>;
    /// Marks a delivery sent (only a pending one; false if it was not pending).
    async fn mark_sent(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Schedules another attempt after a temporary failure.
    async fn mark_retry(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        error: &str,
        next: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Undoes `mark_sent` when the server refused the message in its reply to the final dot:
    /// pending again until `retry_at`, or failed when there is no retry.
    async fn revert_sent(
        &self,
        issue_id: i64,
        subscriber_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    /// Gives up on a delivery.
    async fn mark_failed(&self, issue_id: i64, subscriber_id: i64, error: &str) -> StoreResult<()>;
    /// Marks issues with nothing left pending as sent; returns their ids.
    async fn finish_issues(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;
}
