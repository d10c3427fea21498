//! Staff accounts and the editing views.

use super::{Article, ArticleStatus, Author, Section};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a staff account may do. Ordered: each role can do everything the one before can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes drafts; cannot publish.
    Contributor,
    /// Publishes any article; runs the live feed, moderation and newsletters.
    Editor,
    /// Everything, plus users and settings.
    Admin,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "contributor" => Some(Role::Contributor),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Contributor => "Contributor",
            Role::Editor => "Editor",
            Role::Admin => "Administrator",
        }
    }

    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Contributor, Role::Editor, Role::Admin];
}

/// The signed-in staff member looking at a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl Viewer {
    /// True when the viewer's role is at least `role`.
    pub fn can(&self, role: Role) -> bool {
        self.role >= role
    }

    /// The one role check: `Forbidden` unless the viewer's role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), super::AppError> {
        if self.can(role) {
            Ok(())
        } else {
            Err(super::AppError::Forbidden)
        }
    }
}

/// A staff account as the users page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One row of the editor's article list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: ArticleStatus,
    pub section_slug: String,
    pub section_title: String,
    pub authors: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the editor's article list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleFilter {
    pub status: Option<ArticleStatus>,
    pub section: Option<String>,
    pub author: Option<String>,
    pub q: String,
}

/// The editor's article list page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleListPage {
    pub viewer: Viewer,
    pub filter: ArticleFilter,
    pub rows: Vec<EditorArticleRow>,
    pub page: u32,
    pub total: u64,
    pub sections: Vec<Section>,
    pub authors: Vec<Author>,
}

/// A saved revision, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionSummary {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub status: ArticleStatus,
    pub editor_name: String,
    pub created_at: DateTime<Utc>,
}

/// A line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
    /// Unchanged lines left out.
    Skipped(usize),
}

/// One field that differs between a revision and the current article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub revision: String,
    pub current: String,
}

/// A revision compared with the current article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionPage {
    pub viewer: Viewer,
    pub article_id: i64,
    pub article_title: String,
    pub current_version: i64,
    pub revision: RevisionSummary,
    pub changes: Vec<FieldChange>,
    pub body_diff: Vec<DiffLine>,
}

/// An autosaved, unsaved state of the editor form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autosave {
    pub values: Vec<(String, String)>,
    pub saved_at: DateTime<Utc>,
}

/// The article editor page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleEditorPage {
    pub viewer: Viewer,
    /// `None` for a new article.
    pub article: Option<Article>,
    pub sections: Vec<Section>,
    pub authors: Vec<Author>,
    pub revisions: Vec<RevisionSummary>,
    /// Unsaved work newer than the stored article, if any.
    pub autosave: Option<Autosave>,
    /// The autosave is shown in the form (the editor asked to restore it).
    pub restoring: bool,
    /// The site's time zone name, for the schedule field.
    pub time_zone: String,
    /// The article's comment setting (`None`: the site default).
    pub comment_mode: Option<super::CommentMode>,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub actor_name: String,
    pub action: super::AuditAction,
    pub target_type: super::AuditTarget,
    pub target_id: Option<i64>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// The audit log page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub viewer: Viewer,
    pub entries: Vec<AuditEntry>,
    pub page: u32,
    pub total: u64,
}

/// The users page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersPage {
    pub viewer: Viewer,
    pub users: Vec<UserSummary>,
}
