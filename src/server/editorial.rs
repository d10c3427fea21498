//! The newsroom's editing domain: saving articles (validated, sanitized, with their image),
//! publishing, scheduling and unpublishing, revisions with diffs, autosaves, the audit log.

use crate::{
    model::{
        AppError, Article, ArticleEditorPage, ArticleFilter, ArticleListPage, ArticleStatus,
        AuditPage, Autosave, DiffLine, FieldChange, FieldError, RevisionPage, Role, UsersPage,
        Viewer,
    },
    server::{
        config::is_slug,
        media::MediaError,
        state::Services,
        store::{ArticleWrite, AuditInput, StoreError},
        text::{one_line, render_markdown, slugify},
    },
};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};

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

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn too_long(what: &str, max: usize, n: usize) -> String {
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
async fn article(svc: &Services, id: i64) -> Result<Article, AppError> {
    svc.store.article_by_id(id).await?.ok_or(AppError::NotFound)
}

/// A revision of `article_id`, or `NotFound`.
async fn revision(
    svc: &Services,
    article_id: i64,
    revision_id: i64,
) -> Result<crate::server::store::RevisionRecord, AppError> {
    svc.store
        .revision(revision_id)
        .await?
        .filter(|r| r.article_id == article_id)
        .ok_or(AppError::NotFound)
}

/// Validates and saves the article form; publishes, schedules or unpublishes it as asked.
/// Nothing is written unless everything (including the image) is valid.
pub async fn save_article(
    svc: &Services,
    viewer: &Viewer,
    form: ArticleForm,
) -> Result<Saved, AppError> {
    forbid_contributor(viewer, form.intent)?;
    let now = svc.clock.now();
    let existing = match form.id {
        Some(id) => Some(article(svc, id).await?),
        None => None,
    };
    if let Some(a) = &existing
        && !may_edit(viewer, a)
    {
        return Err(AppError::Forbidden);
    }

    let mut errors = Vec::new();
    let title = one_line(&form.title);
    let n = title.chars().count();
    if n == 0 {
        errors.push(err("title", "Enter a headline."));
    } else if n > MAX_TITLE {
        errors.push(err("title", too_long("Headlines", MAX_TITLE, n)));
    }
    let dek = one_line(&form.dek);
    let n = dek.chars().count();
    if n > MAX_DEK {
        errors.push(err("dek", too_long("The standfirst", MAX_DEK, n)));
    }
    let slug = if form.slug.trim().is_empty() {
        slugify(&title, 80)
    } else {
        form.slug.trim().to_lowercase()
    };
    if !title.is_empty() && (!is_slug(&slug) || slug.len() > MAX_SLUG) {
        errors.push(err(
            "slug",
            "Use lower-case letters, digits and single hyphens (at most 120), e.g. ferry-returns.",
        ));
    }
    // An address that redirects to another story, or answers 410 for a deleted one, is that
    // story's history; saving an article there would erase it. Only editors may reuse one.
    if !viewer.can(Role::Editor)
        && is_slug(&slug)
        && crate::server::slug_history::belongs_to_another(svc, &slug, existing.as_ref()).await?
    {
        errors.push(err(
            "slug",
            "This address belonged to an earlier story. Choose another one.",
        ));
    }
    let sections = svc.store.sections().await?;
    let section = sections.iter().find(|s| s.slug == form.section);
    if section.is_none() {
        errors.push(err("section", "Choose a section."));
    }
    let all_authors = svc.store.authors().await?;
    let mut author_ids = Vec::new();
    for slug in &form.authors {
        match all_authors.iter().find(|a| &a.slug == slug) {
            Some(a) if !author_ids.contains(&a.id) => author_ids.push(a.id),
            Some(_) => {}
            None => errors.push(err("authors", "Choose authors from the list.")),
        }
    }
    if author_ids.is_empty() {
        errors.push(err("authors", "Choose at least one author."));
    }
    let tags = match parse_tags(&form.tags) {
        Ok(t) => t,
        Err(m) => {
            errors.push(err("tags", m));
            Vec::new()
        }
    };
    let n = form.body.chars().count();
    if n > MAX_BODY {
        errors.push(err("body", too_long("The story", MAX_BODY, n)));
    }
    if form.intent == Intent::Publish && form.body.trim().is_empty() {
        errors.push(err("body", "Write the story before publishing it."));
    }
    let (alt, caption, credit) = (
        one_line(&form.hero_alt),
        one_line(&form.hero_caption),
        one_line(&form.hero_credit),
    );
    for (field, value, max, what) in [
        ("hero_alt", &alt, MAX_ALT, "Alt text"),
        ("hero_caption", &caption, MAX_CAPTION, "Captions"),
        ("hero_credit", &credit, MAX_CREDIT, "Credits"),
    ] {
        let n = value.chars().count();
        if n > max {
            errors.push(err(field, too_long(what, max, n)));
        }
    }
    let schedule_at = if form.intent == Intent::Schedule {
        match parse_local_time(&form.publish_at, svc.config.tz) {
            Some(t) if t > now + Duration::minutes(1) => Some(t),
            Some(_) => {
                errors.push(err("publish_at", "Choose a time in the future."));
                None
            }
            None => {
                errors.push(err("publish_at", "Choose a date and time to publish."));
                None
            }
        }
    } else {
        None
    };
    let keeps_image = form.hero_image.is_some()
        || (!form.remove_hero && existing.as_ref().and_then(|a| a.hero.as_ref()).is_some());
    let will_have_image = form.hero_upload.is_some() || keeps_image;
    if will_have_image && alt.is_empty() {
        errors.push(err(
            "hero_alt",
            "Describe the image for people who cannot see it (alt text is required).",
        ));
    }
    // The image is checked last but before anything is written.
    let mut hero_image_id = match form.hero_image {
        Some(id) => Some(id),
        None if keeps_image => existing
            .as_ref()
            .and_then(|a| a.hero.as_ref())
            .map(|h| h.image.id),
        None => None,
    };
    if let Some(bytes) = form.hero_upload.clone() {
        if errors.is_empty() {
            match svc.media.ingest(bytes).await {
                Ok(input) => hero_image_id = Some(svc.store.insert_image(&input, now).await?.id),
                Err(e @ MediaError::TooLarge { .. }) => {
                    return Err(AppError::Invalid(vec![err("hero_image", e.to_string())]));
                }
                Err(e) => errors.push(err("hero_image", e.to_string())),
            }
        } else {
            errors.push(err(
                "hero_image",
                "Fix the other fields, then choose the image again.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let section = section.expect("checked above");

    let mut tag_ids = Vec::new();
    for (slug, name) in &tags {
        tag_ids.push(svc.store.ensure_tag(slug, name).await?);
    }
    let body = render_markdown(&form.body);
    let current_status = existing.as_ref().map(|a| a.status);
    let first_published = existing.as_ref().and_then(|a| a.published_at);
    let (status, published_at) = match form.intent {
        Intent::Save => (
            current_status.unwrap_or(ArticleStatus::Draft),
            first_published,
        ),
        Intent::Publish => (
            ArticleStatus::Published,
            match current_status {
                Some(ArticleStatus::Published) => first_published,
                _ => Some(now),
            },
        ),
        Intent::Schedule => (ArticleStatus::Scheduled, schedule_at),
        Intent::Unpublish => (ArticleStatus::Draft, first_published),
    };
    let content_changed = existing
        .as_ref()
        .is_some_and(|a| a.title != title || a.dek != dek || a.body_md != form.body);
    let revised_at = match (&existing, status) {
        (Some(a), ArticleStatus::Published)
            if a.status == ArticleStatus::Published && content_changed =>
        {
            Some(now)
        }
        (Some(a), _) => a.revised_at,
        (None, _) => None,
    };
    let editors_pick = if viewer.can(Role::Editor) {
        form.editors_pick
    } else {
        existing.as_ref().is_some_and(|a| a.editors_pick)
    };
    let write = ArticleWrite {
        slug: slug.clone(),
        title: title.clone(),
        dek,
        body_md: form.body.clone(),
        body_html: body.html,
        body_text: body.text,
        word_count: body.words,
        section_id: section.id,
        hero_image_id,
        hero_alt: if hero_image_id.is_some() {
            alt
        } else {
            String::new()
        },
        hero_caption: if hero_image_id.is_some() {
            caption
        } else {
            String::new()
        },
        hero_credit: if hero_image_id.is_some() {
            credit
        } else {
            String::new()
        },
        status,
        editors_pick,
        published_at,
        revised_at,
        tag_ids,
        author_ids,
    };
    let slug_taken = || AppError::field("slug", "Another article already uses this address.");
    let (id, version, created) = match &existing {
        None => {
            let id = svc
                .store
                .create_article(&write, now)
                .await
                .map_err(|e| match e {
                    StoreError::Duplicate => slug_taken(),
                    other => other.into(),
                })?;
            (id, 1, true)
        }
        Some(a) => {
            let v = svc
                .store
                .update_article(a.id, form.version, &write, now)
                .await
                .map_err(|e| match e {
                    StoreError::Duplicate => slug_taken(),
                    other => other.into(),
                })?;
            (a.id, v, false)
        }
    };
    let tag_names = tags
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    svc.store
        .add_revision(
            id,
            version,
            &write,
            &tag_names,
            (Some(viewer.user_id), &viewer.name),
            now,
        )
        .await?;
    svc.store
        .delete_autosave(if created { 0 } else { id }, viewer.user_id)
        .await?;
    let action = match form.intent {
        Intent::Publish if current_status != Some(ArticleStatus::Published) => Some("publish"),
        Intent::Schedule => Some("schedule"),
        Intent::Unpublish if current_status == Some(ArticleStatus::Published) => Some("unpublish"),
        _ if created => Some("create"),
        _ => None,
    };
    if let Some(action) = action {
        audit(
            svc,
            viewer,
            action,
            "article",
            Some(id),
            match schedule_at {
                Some(t) => format!(
                    "{title} (for {})",
                    crate::app::format::date_time(t, svc.config.tz)
                ),
                None => title.clone(),
            },
        )
        .await?;
    }
    let href = crate::model::article_path(&section.slug, &slug);
    let message = match (form.intent, status) {
        (Intent::Publish, _) => "Published. Readers can see it now.".to_owned(),
        (Intent::Schedule, _) => format!(
            "Scheduled for {}.",
            crate::app::format::date_time(published_at.unwrap_or(now), svc.config.tz)
        ),
        (Intent::Unpublish, _) => {
            "Unpublished. Readers now see that it is no longer available.".to_owned()
        }
        (Intent::Save, ArticleStatus::Published) => "Saved. The published story is updated.".into(),
        (Intent::Save, _) => "Saved.".into(),
    };
    Ok(Saved {
        id,
        version,
        slug,
        href,
        status,
        message,
        created,
    })
}

/// Writes one audit log entry for `viewer`.
pub async fn audit(
    svc: &Services,
    viewer: &Viewer,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    detail: String,
) -> Result<(), AppError> {
    svc.store
        .audit(
            &AuditInput {
                actor_id: Some(viewer.user_id),
                actor_name: &viewer.name,
                action,
                target_type,
                target_id,
                detail,
            },
            svc.clock.now(),
        )
        .await?;
    Ok(())
}

/// The editor's article list.
pub async fn article_list(
    svc: &Services,
    viewer: Viewer,
    filter: ArticleFilter,
    page: u32,
) -> Result<ArticleListPage, AppError> {
    let page = page.max(1);
    let (rows, total) = svc
        .store
        .editor_articles(&filter, EDITOR_PER_PAGE, (page - 1) * EDITOR_PER_PAGE)
        .await?;
    Ok(ArticleListPage {
        viewer,
        filter,
        rows,
        page,
        total,
        sections: svc.store.sections().await?,
        authors: svc.store.authors().await?,
    })
}

/// The article editor for a new (`id` = None) or existing article.
pub async fn editor_page(
    svc: &Services,
    viewer: Viewer,
    id: Option<i64>,
    restore: bool,
) -> Result<ArticleEditorPage, AppError> {
    let article = match id {
        Some(id) => Some(article(svc, id).await?),
        None => None,
    };
    let revisions = match &article {
        Some(a) => svc.store.revisions(a.id).await?,
        None => Vec::new(),
    };
    let autosave = svc
        .store
        .autosave(id.unwrap_or(0), viewer.user_id)
        .await?
        .filter(|(_, at)| article.as_ref().is_none_or(|a| *at > a.updated_at))
        .and_then(|(data, saved_at)| {
            serde_json::from_str::<Vec<(String, String)>>(&data)
                .ok()
                .map(|values| Autosave { values, saved_at })
        });
    Ok(ArticleEditorPage {
        viewer,
        article,
        sections: svc.store.sections().await?,
        authors: svc.store.authors().await?,
        revisions,
        restoring: restore && autosave.is_some(),
        autosave,
        time_zone: svc.config.site.time_zone.clone(),
        comment_mode: match id {
            Some(id) => svc.store.comment_mode(id).await?,
            None => None,
        },
    })
}

/// Keeps the editor's unsaved form (text fields only) for `article_id` (0 = new article).
pub async fn autosave(
    svc: &Services,
    viewer: &Viewer,
    article_id: i64,
    values: Vec<(String, String)>,
) -> Result<DateTime<Utc>, AppError> {
    let total: usize = values.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > MAX_BODY + 10_000 {
        return Err(AppError::TooLarge(
            "This draft is too long to autosave.".into(),
        ));
    }
    if article_id != 0 {
        let a = article(svc, article_id).await?;
        if !may_edit(viewer, &a) {
            return Err(AppError::Forbidden);
        }
    }
    let now = svc.clock.now();
    let data = serde_json::to_string(&values).map_err(|_| AppError::Internal)?;
    svc.store
        .put_autosave(article_id, viewer.user_id, &data, now)
        .await?;
    Ok(now)
}

/// A line diff with unchanged runs folded to `context` lines around each change.
pub fn diff_lines(old: &str, new: &str, context: usize) -> Vec<DiffLine> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    let groups = diff.grouped_ops(context);
    let total_old = old.lines().count();
    let mut last_old_end = 0;
    for group in groups {
        let first_old = group.first().map(|op| op.old_range().start).unwrap_or(0);
        if first_old > last_old_end {
            out.push(DiffLine::Skipped(first_old - last_old_end));
        }
        for op in &group {
            for change in diff.iter_changes(op) {
                let line = change.value().trim_end_matches('\n').to_owned();
                out.push(match change.tag() {
                    ChangeTag::Equal => DiffLine::Same(line),
                    ChangeTag::Insert => DiffLine::Added(line),
                    ChangeTag::Delete => DiffLine::Removed(line),
                });
            }
            last_old_end = op.old_range().end;
        }
    }
    if last_old_end < total_old && !out.is_empty() {
        out.push(DiffLine::Skipped(total_old - last_old_end));
    }
    out
}

/// A revision compared with the current article.
pub async fn revision_page(
    svc: &Services,
    viewer: Viewer,
    article_id: i64,
    revision_id: i64,
) -> Result<RevisionPage, AppError> {
    let article = article(svc, article_id).await?;
    let rev = revision(svc, article_id, revision_id).await?;
    let sections = svc.store.sections().await?;
    let section_title = |id: i64| {
        sections
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    let current_tags = article
        .tags
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let current_section = sections
        .iter()
        .find(|s| s.slug == article.section.slug)
        .map(|s| s.id)
        .unwrap_or_default();
    let mut changes = Vec::new();
    for (field, revision, current) in [
        ("Headline", rev.summary.title.clone(), article.title.clone()),
        ("Standfirst", rev.dek.clone(), article.dek.clone()),
        ("Address", rev.slug.clone(), article.slug.clone()),
        (
            "Section",
            section_title(rev.section_id),
            section_title(current_section),
        ),
        ("Tags", rev.tags.clone(), current_tags),
        (
            "Alt text",
            rev.hero_alt.clone(),
            article
                .hero
                .as_ref()
                .map(|h| h.alt.clone())
                .unwrap_or_default(),
        ),
    ] {
        if revision != current {
            changes.push(FieldChange {
                field: field.into(),
                revision,
                current,
            });
        }
    }
    Ok(RevisionPage {
        viewer,
        article_id,
        article_title: article.title.clone(),
        current_version: article.version,
        body_diff: diff_lines(&rev.body_md, &article.body_md, 3),
        revision: rev.summary,
        changes,
    })
}

/// Puts a revision's content back (keeping the article's status), as a new save.
pub async fn restore_revision(
    svc: &Services,
    viewer: &Viewer,
    article_id: i64,
    revision_id: i64,
    expected_version: i64,
) -> Result<Saved, AppError> {
    let rev = revision(svc, article_id, revision_id).await?;
    let sections = svc.store.sections().await?;
    let authors = svc.store.authors().await?;
    let form = ArticleForm {
        id: Some(article_id),
        version: expected_version,
        title: rev.summary.title.clone(),
        dek: rev.dek.clone(),
        slug: rev.slug.clone(),
        section: sections
            .iter()
            .find(|s| s.id == rev.section_id)
            .map(|s| s.slug.clone())
            .unwrap_or_default(),
        tags: rev.tags.clone(),
        authors: rev
            .author_ids
            .iter()
            .filter_map(|id| authors.iter().find(|a| a.id == *id).map(|a| a.slug.clone()))
            .collect(),
        editors_pick: rev.editors_pick,
        body: rev.body_md.clone(),
        hero_alt: rev.hero_alt.clone(),
        hero_caption: rev.hero_caption.clone(),
        hero_credit: rev.hero_credit.clone(),
        remove_hero: rev.hero_image_id.is_none(),
        hero_upload: None,
        hero_image: rev.hero_image_id,
        intent: Intent::Save,
        publish_at: String::new(),
    };
    let mut saved = save_article(svc, viewer, form).await?;
    audit(
        svc,
        viewer,
        "restore",
        "article",
        Some(article_id),
        format!("{} (version {})", rev.summary.title, rev.summary.version),
    )
    .await?;
    saved.message = format!("Restored version {}.", rev.summary.version);
    Ok(saved)
}

/// Deletes an article (editors only), leaving its address answering 410.
pub async fn delete_article(svc: &Services, viewer: &Viewer, id: i64) -> Result<String, AppError> {
    if !viewer.can(Role::Editor) {
        return Err(AppError::Forbidden);
    }
    let a = article(svc, id).await?;
    svc.store.delete_article(id, svc.clock.now()).await?;
    audit(svc, viewer, "delete", "article", Some(id), a.title.clone()).await?;
    Ok(a.title)
}

/// The audit log page.
pub async fn audit_page(svc: &Services, viewer: Viewer, page: u32) -> Result<AuditPage, AppError> {
    let page = page.max(1);
    let (entries, total) = svc.store.audit_log(50, (page - 1) * 50).await?;
    Ok(AuditPage {
        viewer,
        entries,
        page,
        total,
    })
}

/// The users page (admins).
pub async fn users_page(svc: &Services, viewer: Viewer) -> Result<UsersPage, AppError> {
    if !viewer.can(Role::Admin) {
        return Err(AppError::Forbidden);
    }
    Ok(UsersPage {
        viewer,
        users: svc.store.users().await?,
    })
}

/// Changes a user's role or active flag (admins), refusing to remove the last active admin.
pub async fn change_user(
    svc: &Services,
    viewer: &Viewer,
    user_id: i64,
    role: Option<Role>,
    active: Option<bool>,
) -> Result<String, AppError> {
    if !viewer.can(Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let user = svc
        .store
        .user_by_id(user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let loses_admin = user.role == Role::Admin
        && user.active
        && (role.is_some_and(|r| r != Role::Admin) || active == Some(false));
    if loses_admin {
        let admins = svc
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Admin && u.active)
            .count();
        if admins <= 1 {
            return Err(AppError::Conflict(
                "This is the last active administrator; make someone else an administrator first."
                    .into(),
            ));
        }
    }
    let mut done = Vec::new();
    if let Some(r) = role
        && r != user.role
    {
        svc.store.set_user_role(user_id, r).await?;
        audit(
            svc,
            viewer,
            "role_change",
            "user",
            Some(user_id),
            format!("{}: {} → {}", user.email, user.role.as_str(), r.as_str()),
        )
        .await?;
        done.push(format!("{} is now {}", user.name, r.label().to_lowercase()));
    }
    if let Some(a) = active
        && a != user.active
    {
        svc.store.set_user_active(user_id, a).await?;
        audit(
            svc,
            viewer,
            if a { "activate" } else { "deactivate" },
            "user",
            Some(user_id),
            user.email.clone(),
        )
        .await?;
        done.push(format!(
            "{} is {}",
            user.name,
            if a { "active again" } else { "deactivated" }
        ));
    }
    Ok(if done.is_empty() {
        "Nothing changed.".into()
    } else {
        format!("{}.", done.join("; "))
    })
}

#[cfg(test)]
mod tests;
