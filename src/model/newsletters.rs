//! Newsletters as readers and editors see them.

use super::{ArticleCard, NewsletterInfo, Viewer};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One reader's subscription state, on the preferences page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceRow {
    pub newsletter: NewsletterInfo,
    pub subscribed: bool,
    pub pending: bool,
}

/// The preferences page (reached by a signed link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferencesPage {
    pub email: String,
    pub token: String,
    pub rows: Vec<PreferenceRow>,
}

/// The confirmation page (asks for a button press).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmPage {
    pub token: String,
    /// Names of the newsletters being confirmed; empty when the link is invalid.
    pub newsletters: Vec<String>,
    pub email: String,
    pub problem: Option<String>,
}

/// Counts for one newsletter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsletterStats {
    pub newsletter: NewsletterInfo,
    pub confirmed: u64,
    pub pending: u64,
    pub unsubscribed: u64,
}

/// A subscriber row in the editor views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberRow {
    pub id: i64,
    pub email: String,
    pub newsletter: String,
    pub status: super::SubscriptionState,
    pub since: DateTime<Utc>,
}

/// Sending progress of an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueSummary {
    pub id: i64,
    pub newsletter: String,
    pub subject: String,
    pub status: super::IssueState,
    pub created_at: DateTime<Utc>,
    pub total: u64,
    pub sent: u64,
    pub failed: u64,
}

/// The newsletters overview in the editor views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsletterAdminPage {
    pub viewer: Viewer,
    pub stats: Vec<NewsletterStats>,
    pub query: String,
    pub subscribers: Vec<SubscriberRow>,
    pub issues: Vec<IssueSummary>,
}

/// An issue being composed or sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuePage {
    pub viewer: Viewer,
    pub issue: Option<IssueSummary>,
    pub newsletters: Vec<NewsletterInfo>,
    /// Recent stories to choose from.
    pub candidates: Vec<ArticleCard>,
    pub chosen: Vec<i64>,
    pub newsletter: String,
    pub subject: String,
    pub intro: String,
    /// The rendered email (HTML), for the preview.
    pub preview_html: String,
    pub recipients: u64,
}
