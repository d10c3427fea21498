//! The live News Feed.

use super::{SectionRef, TagRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An article a feed item points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedArticle {
    pub title: String,
    pub href: String,
}

/// One short, timestamped update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItem {
    pub id: i64,
    pub headline: String,
    pub body_md: String,
    pub body_html: String,
    pub article: Option<LinkedArticle>,
    pub section: Option<SectionRef>,
    pub tags: Vec<TagRef>,
    pub key_event: bool,
    pub pinned: bool,
    pub breaking: bool,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changed after it was first posted ("Updated HH:MM").
    pub edited: bool,
    pub deleted: bool,
}

impl FeedItem {
    /// The item's permalink.
    pub fn href(&self) -> String {
        format!("/news-feed/{}", self.id)
    }
}

/// The News Feed column and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Where live updates resume from (the newest event when the page was rendered).
    pub after_event: i64,
    pub key_events_only: bool,
    /// Older items exist before the last one shown.
    pub older: Option<i64>,
    /// This is not the first page (no live insertion).
    pub paged: bool,
}

/// The live composer in the editor views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComposerPage {
    pub viewer: super::Viewer,
    /// The item being edited, if any.
    pub editing: Option<FeedItem>,
    pub recent: Vec<FeedItem>,
    pub sections: Vec<super::Section>,
}
