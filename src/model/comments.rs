//! Comments and the readers who write them.

use super::{CommentSort, CommentStatus, ModerationTab, Viewer};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How an article takes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentMode {
    Open,
    Premoderated,
    Closed,
}

impl CommentMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentMode::Open => "open",
            CommentMode::Premoderated => "premoderated",
            CommentMode::Closed => "closed",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(CommentMode::Open),
            "premoderated" => Some(CommentMode::Premoderated),
            "closed" => Some(CommentMode::Closed),
            _ => None,
        }
    }
}

/// A signed-in reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderInfo {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub banned: bool,
}

/// One comment as rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub author: String,
    pub mine: bool,
    /// Escaped, auto-linked HTML of the plain-text body.
    pub body_html: String,
    pub body: String,
    pub status: CommentStatus,
    pub featured: bool,
    pub reply_count: i64,
    pub created_at: DateTime<Utc>,
    pub edited: bool,
    /// The author may still edit it.
    pub editable: bool,
    pub replies: Vec<CommentView>,
    /// Approved replies in this thread that are not shown here (on a thread's first comment).
    pub more_replies: i64,
}

/// The comments section of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentsSection {
    pub article_id: i64,
    pub article_path: String,
    pub mode: CommentMode,
    pub total: u64,
    pub sort: CommentSort,
    pub page: u32,
    pub pages: u32,
    pub threads: Vec<CommentView>,
    /// Set when one thread is shown on its own (`?thread=ID`).
    pub thread: Option<i64>,
    pub reader: Option<ReaderInfo>,
    /// Where live comment events resume from.
    pub after_event: i64,
    pub max_depth: i64,
    pub max_length: usize,
}

/// A comment in the moderation queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: i64,
    pub article_title: String,
    pub article_path: String,
    pub author: String,
    pub reader_id: i64,
    pub reader_banned: bool,
    pub body: String,
    pub status: CommentStatus,
    pub held_reason: String,
    pub featured: bool,
    pub reports: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// The moderation queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationPage {
    pub viewer: Viewer,
    pub tab: ModerationTab,
    pub items: Vec<QueueItem>,
    pub pending: u64,
    pub reported: u64,
}

/// The reader's account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    pub reader: Option<ReaderInfo>,
    /// A signed link to this address's newsletter preferences, if it has subscriptions.
    pub newsletter_preferences: Option<String>,
}
