//! Articles, as the newsroom edits them: saving (validated, sanitized, with their image),
//! publishing, scheduling and unpublishing ([`save`]), revisions with diffs ([`revisions`]),
//! the editor's list, autosaves and deletion ([`desk`]).

pub mod desk;
pub mod revisions;
pub mod save;
pub mod schedule;
pub mod slug_history;

pub use desk::{article_list, autosave, delete_article, editor_page};
pub use revisions::{diff_lines, restore_revision, revision_page};
pub use save::save_article;

use crate::{
    model::{AppError, Article, ArticleStatus, FieldError, Role, Viewer},
    server::{
        state::Services,
        store::RevisionRecord,
        text::{one_line, slugify},
    },
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// Articles per page in the editor list.
pub const EDITOR_PER_PAGE: u32 = 25;
/// Limits on what an editor can type, with the reasons in the messages.
pub const MAX_TITLE: usize = 200;
pub const MAX_DEK: usize = 400;
pub const MAX_SLUG: usize = 120;
pub const MAX_BODY: usize = 200_000;
pub const MAX_TAGS: usize = 12;
pub const MAX_TAG: usize = 40;
pub const MAX_ALT: usize = 300;
pub const MAX_CAPTION: usize = 500;
pub const MAX_CREDIT: usize = 200;

/// What the editor asked the save to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Intent {
    #[default]
    Save,
    Publish,
    Schedule,
    Unpublish,
}

impl Intent {
    /// Parses the submit button's value.
    pub fn parse(s: &str) -> Self {
        match s {
            "publish" => Intent::Publish,
            "schedule" => Intent::Schedule,
            "unpublish" => Intent::Unpublish,
            _ => Intent::Save,
        }
    }
}

/// The article form as submitted.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    pub id: Option<i64>,
    pub version: i64,
    pub title: String,
    pub dek: String,
    pub slug: String,
    pub section: String,
    pub tags: String,
    pub authors: Vec<String>,
    pub editors_pick: bool,
    pub body: String,
    pub hero_alt: String,
    pub hero_caption: String,
    pub hero_credit: String,
    pub remove_hero: bool,
    pub hero_upload: Option<Vec<u8>>,
    /// Use this stored image (restoring a revision).
    pub hero_image: Option<i64>,
    pub intent: Intent,
    pub publish_at: String,
}

impl ArticleForm {
    /// The form for `a` as it stands (intent: save), to change and save again.
    pub fn editing(a: &crate::model::Article) -> Self {
        let hero = |f: fn(&crate::model::Hero) -> &String| {
            a.hero.as_ref().map(|h| f(h).clone()).unwrap_or_default()
        };
        ArticleForm {
            id: Some(a.id),
            version: a.version,
            title: a.title.clone(),
            dek: a.dek.clone(),
            slug: a.slug.clone(),
            section: a.section.slug.clone(),
            tags: a
                .tags
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            authors: a.authors.iter().map(|au| au.slug.clone()).collect(),
            editors_pick: a.editors_pick,
            body: a.body_md.clone(),
            hero_alt: hero(|h| &h.alt),
            hero_caption: hero(|h| &h.caption),
            hero_credit: hero(|h| &h.credit),
            intent: Intent::Save,
            ..Default::default()
        }
    }

    /// The typed values, to put back into the form after a failed plain post.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("title".to_owned(), self.title.clone()),
            ("dek".into(), self.dek.clone()),
            ("slug".into(), self.slug.clone()),
            ("section".into(), self.section.clone()),
            ("tags".into(), self.tags.clone()),
            ("body".into(), self.body.clone()),
            ("hero_alt".into(), self.hero_alt.clone()),
            ("hero_caption".into(), self.hero_caption.clone()),
            ("hero_credit".into(), self.hero_credit.clone()),
            ("publish_at".into(), self.publish_at.clone()),
            ("version".into(), self.version.to_string()),
        ];
        if self.editors_pick {
            v.push(("editors_pick".into(), "on".into()));
        }
        for a in &self.authors {
            v.push(("authors".into(), a.clone()));
        }
        v
    }
}

/// The result of a successful save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: i64,
    pub version: i64,
    pub slug: String,
    pub href: String,
    pub status: ArticleStatus,
    pub message: String,
    pub created: bool,
}

pub(crate) fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

pub(crate) fn too_long(what: &str, max: usize, n: usize) -> String {
    format!("{what} can be at most {max} characters (this one has {n}).")
}

/// Parses tags typed as "Ferries, Keeling Island": trimmed, de-duplicated by slug.
pub fn parse_tags(input: &str) -> Result<Vec<(String, String)>, String> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for raw in input.split(',') {
        let name = one_line(raw);
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > MAX_TAG {
            return Err(format!(
                "Tags can be at most {MAX_TAG} characters: {name:?}."
            ));
        }
        let slug = slugify(&name, 60);
        if slug.is_empty() {
            return Err(format!("{name:?} needs at least one letter or digit."));
        }
        if !tags.iter().any(|(s, _)| *s == slug) {
            tags.push((slug, name));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("Use at most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

/// Reads `YYYY-MM-DDTHH:MM` (an HTML `datetime-local`) in the site's time zone.
pub fn parse_local_time(input: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(input.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(input.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn forbid_contributor(viewer: &Viewer, intent: Intent) -> Result<(), AppError> {
    if !viewer.can(Role::Editor) && intent != Intent::Save {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Contributors write drafts that have never been public; everything else needs an editor.
fn may_edit(viewer: &Viewer, article: &Article) -> bool {
    viewer.can(Role::Editor)
        || (article.status == ArticleStatus::Draft && article.published_at.is_none())
}

/// An article by id, or `NotFound`.
async fn load(svc: &Services, id: i64) -> Result<Article, AppError> {
    svc.store.article_by_id(id).await?.ok_or(AppError::NotFound)
}

/// A revision of `article_id`, or `NotFound`.
async fn revision(
    svc: &Services,
    article_id: i64,
    revision_id: i64,
) -> Result<RevisionRecord, AppError> {
    svc.store
        .revision(revision_id)
        .await?
        .filter(|r| r.article_id == article_id)
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests;
