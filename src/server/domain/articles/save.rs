//! Saving an article: validate the form, decide the status transition, persist everything in
//! one unit of work (the article, its tags and image, a revision, the audit entry).

use super::{
    ArticleForm, Intent, MAX_ALT, MAX_BODY, MAX_CAPTION, MAX_CREDIT, MAX_DEK, MAX_SLUG, MAX_TITLE,
    Saved, err, forbid_contributor, load, may_edit, parse_local_time, parse_tags, too_long,
};
use crate::{
    model::{
        AppError, Article, ArticleStatus, AuditAction, AuditTarget, Channel, LiveKind, Role,
        Viewer, text,
    },
    server::{
        audit,
        config::is_slug,
        media::MediaError,
        state::Services,
        store::{ArticleWrite, ImageInput, StoreError},
        text::{RenderedBody, one_line, render_markdown, slugify},
    },
};
use chrono::{DateTime, Duration, Utc};

/// A form that passed every check: what will be written, before any status decision.
struct Valid {
    title: String,
    dek: String,
    slug: String,
    section_id: i64,
    section_slug: String,
    author_ids: Vec<i64>,
    tags: Vec<(String, String)>,
    body: RenderedBody,
    /// A freshly uploaded image (its files are on disk, its row not yet written).
    upload: Option<ImageInput>,
    /// A stored image to keep or restore.
    hero_image_id: Option<i64>,
    alt: String,
    caption: String,
    credit: String,
    schedule_at: Option<DateTime<Utc>>,
}

/// Where a save takes the article: its status, dates and what the audit log records.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transition {
    status: ArticleStatus,
    published_at: Option<DateTime<Utc>>,
    revised_at: Option<DateTime<Utc>>,
    /// The audit entry: its action and, when it is not the headline, its detail.
    audit: Option<(AuditAction, Option<String>)>,
}

/// Validates and saves the article form; publishes, schedules or unpublishes it as asked.
/// Nothing is written unless everything (including the image) is valid, and everything the
/// save implies commits together.
pub async fn save_article(
    svc: &Services,
    viewer: &Viewer,
    form: ArticleForm,
) -> Result<Saved, AppError> {
    save_as(svc, viewer, form, None).await
}

/// [`save_article`], recording `restored` (what was restored) in the audit log instead of the
/// transition's own entry.
pub(super) async fn save_as(
    svc: &Services,
    viewer: &Viewer,
    form: ArticleForm,
    restored: Option<String>,
) -> Result<Saved, AppError> {
    forbid_contributor(viewer, form.intent)?;
    let now = svc.clock.now();
    let existing = match form.id {
        Some(id) => Some(load(svc, id).await?),
        None => None,
    };
    if let Some(a) = &existing
        && !may_edit(viewer, a)
    {
        return Err(AppError::Forbidden);
    }
    let valid = validate(svc, viewer, &form, existing.as_ref(), now).await?;
    let mut transition = decide(&form, existing.as_ref(), &valid, now);
    if let Some(what) = restored {
        transition.audit = Some((AuditAction::Restore, Some(what)));
    }
    persist(svc, viewer, &form, existing.as_ref(), valid, transition).await
}

/// Checks every field (and ingests an uploaded image) without writing anything to the store.
async fn validate(
    svc: &Services,
    viewer: &Viewer,
    form: &ArticleForm,
    existing: Option<&Article>,
    now: DateTime<Utc>,
) -> Result<Valid, AppError> {
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
        && super::slug_history::belongs_to_another(svc, &slug, existing).await?
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
    let existing_image = existing.and_then(|a| a.hero.as_ref()).map(|h| h.image.id);
    let keeps_image = form.hero_image.is_some() || (!form.remove_hero && existing_image.is_some());
    let will_have_image = form.hero_upload.is_some() || keeps_image;
    if will_have_image && alt.is_empty() {
        errors.push(err(
            "hero_alt",
            "Describe the image for people who cannot see it (alt text is required).",
        ));
    }
    // The image is checked last, and only when everything else is valid.
    let hero_image_id = match form.hero_image {
        Some(id) => Some(id),
        None if keeps_image => existing_image,
        None => None,
    };
    let mut upload = None;
    if let Some(bytes) = form.hero_upload.clone() {
        if errors.is_empty() {
            match svc.media.ingest(bytes).await {
                Ok(input) => upload = Some(input),
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
    Ok(Valid {
        title,
        dek,
        slug,
        section_id: section.id,
        section_slug: section.slug.clone(),
        author_ids,
        tags,
        body: render_markdown(&form.body),
        upload,
        hero_image_id,
        alt,
        caption,
        credit,
        schedule_at,
    })
}

/// Decides the article's status and dates from what the editor asked and where it was.
fn decide(
    form: &ArticleForm,
    existing: Option<&Article>,
    valid: &Valid,
    now: DateTime<Utc>,
) -> Transition {
    let current = existing.map(|a| a.status);
    let first_published = existing.and_then(|a| a.published_at);
    let (status, published_at) = match form.intent {
        Intent::Save => (current.unwrap_or(ArticleStatus::Draft), first_published),
        Intent::Publish => (
            ArticleStatus::Published,
            match current {
                Some(ArticleStatus::Published) => first_published,
                _ => Some(now),
            },
        ),
        Intent::Schedule => (ArticleStatus::Scheduled, valid.schedule_at),
        Intent::Unpublish => (ArticleStatus::Draft, first_published),
    };
    let content_changed = existing
        .is_some_and(|a| a.title != valid.title || a.dek != valid.dek || a.body_md != form.body);
    let revised_at = match existing {
        Some(a)
            if a.status == ArticleStatus::Published
                && status == ArticleStatus::Published
                && content_changed =>
        {
            Some(now)
        }
        Some(a) => a.revised_at,
        None => None,
    };
    let action = match form.intent {
        Intent::Publish if current != Some(ArticleStatus::Published) => Some(AuditAction::Publish),
        Intent::Schedule => Some(AuditAction::Schedule),
        Intent::Unpublish if current == Some(ArticleStatus::Published) => {
            Some(AuditAction::Unpublish)
        }
        _ if existing.is_none() => Some(AuditAction::Create),
        _ if current == Some(ArticleStatus::Published) && content_changed => {
            Some(AuditAction::Update)
        }
        _ => None,
    };
    Transition {
        status,
        published_at,
        revised_at,
        audit: action.map(|a| (a, None)),
    }
}

/// Writes the article and everything the save implies in one unit of work.
async fn persist(
    svc: &Services,
    viewer: &Viewer,
    form: &ArticleForm,
    existing: Option<&Article>,
    valid: Valid,
    t: Transition,
) -> Result<Saved, AppError> {
    let now = svc.clock.now();
    let tx = svc.store.begin().await?;
    let hero_image_id = match &valid.upload {
        Some(input) => Some(tx.insert_image(input, now).await?.id),
        None => valid.hero_image_id,
    };
    let mut tag_ids = Vec::new();
    for (slug, name) in &valid.tags {
        tag_ids.push(tx.ensure_tag(slug, name).await?);
    }
    let editors_pick = if viewer.can(Role::Editor) {
        form.editors_pick
    } else {
        existing.is_some_and(|a| a.editors_pick)
    };
    let with_image = |s: String| {
        if hero_image_id.is_some() {
            s
        } else {
            String::new()
        }
    };
    let write = ArticleWrite {
        slug: valid.slug.clone(),
        title: valid.title.clone(),
        dek: valid.dek,
        body_md: form.body.clone(),
        body_html: valid.body.html,
        body_text: valid.body.text,
        word_count: valid.body.words,
        section_id: valid.section_id,
        hero_image_id,
        hero_alt: with_image(valid.alt),
        hero_caption: with_image(valid.caption),
        hero_credit: with_image(valid.credit),
        status: t.status,
        editors_pick,
        published_at: t.published_at,
        revised_at: t.revised_at,
        tag_ids,
        author_ids: valid.author_ids,
    };
    let slug_taken = |e: StoreError| match e {
        StoreError::Duplicate => {
            AppError::field("slug", "Another article already uses this address.")
        }
        other => other.into(),
    };
    let (id, version) = match existing {
        None => (tx.create_article(&write, now).await.map_err(slug_taken)?, 1),
        Some(a) => (
            a.id,
            tx.update_article(a.id, form.version, &write, now)
                .await
                .map_err(slug_taken)?,
        ),
    };
    let tag_names = valid
        .tags
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    tx.add_revision(
        id,
        version,
        &write,
        &tag_names,
        (Some(viewer.user_id), &viewer.name),
        now,
    )
    .await?;
    tx.delete_autosave(if existing.is_none() { 0 } else { id }, viewer.user_id)
        .await?;
    if let Some((action, detail)) = t.audit {
        let detail = match (detail, valid.schedule_at) {
            (Some(d), _) => d,
            (None, Some(at)) => format!(
                "{} (for {})",
                valid.title,
                text::date_time(at, svc.config.tz)
            ),
            (None, None) => valid.title.clone(),
        };
        audit::record(
            svc,
            &*tx,
            viewer,
            action,
            (AuditTarget::Article, Some(id)),
            detail,
        )
        .await?;
    }
    // What readers see changes when the story is or was public: every node's snapshots go
    // (the event is written last in the unit, as the live log's ordering rule asks).
    let public = |s: ArticleStatus| s == ArticleStatus::Published;
    let seen_by_readers = public(t.status) || existing.is_some_and(|a| public(a.status));
    if seen_by_readers {
        tx.log_live_event(Channel::Site, LiveKind::Upsert, id, now)
            .await?;
    }
    tx.commit().await?;
    if seen_by_readers {
        svc.live.wake();
    }
    let message = match (form.intent, t.status) {
        (Intent::Publish, _) => "Published. Readers can see it now.".to_owned(),
        (Intent::Schedule, _) => format!(
            "Scheduled for {}.",
            text::date_time(t.published_at.unwrap_or(now), svc.config.tz)
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
        href: crate::model::article_path(&valid.section_slug, &valid.slug),
        slug: valid.slug,
        status: t.status,
        message,
        created: existing.is_none(),
    })
}
