//! The live News Feed's domain: posting, editing, pinning and deleting updates, and the pages
//! that list them. Every change, its live event and its audit entry commit in one unit of work.

use crate::{
    model::{
        AppError, ArticleStatus, AuditAction, AuditTarget, FeedItem, FeedPage, FieldError,
        LiveKind, Role, Viewer,
    },
    server::{
        articles::parse_tags,
        audit,
        live::{Payload, gone, render_safely},
        state::Services,
        store::{FeedItemWrite, FeedQuery, LiveEventRecord, StoreError, Tx},
        text::{one_line, render_markdown_limited},
    },
};

/// Limits on an update.
pub const MAX_HEADLINE: usize = 160;
pub const MAX_BODY: usize = 2_000;
/// Items in the column on the front and article pages.
pub const COLUMN_ITEMS: u32 = 8;
/// Items per page on `/news-feed`.
pub const PAGE_ITEMS: u32 = 20;

/// The composer form.
#[derive(Debug, Clone, Default)]
pub struct FeedItemForm {
    pub id: Option<i64>,
    pub headline: String,
    pub body: String,
    /// Slug of a published article to link, or empty.
    pub article: String,
    /// Section slug, or empty.
    pub section: String,
    pub tags: String,
    pub key_event: bool,
    pub pinned: bool,
    pub breaking: bool,
}

impl FeedItemForm {
    /// The typed values, to put back after a failed plain post.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("headline".to_owned(), self.headline.clone()),
            ("body".into(), self.body.clone()),
            ("article".into(), self.article.clone()),
            ("section".into(), self.section.clone()),
            ("tags".into(), self.tags.clone()),
        ];
        for (k, on) in [
            ("key_event", self.key_event),
            ("pinned", self.pinned),
            ("breaking", self.breaking),
        ] {
            if on {
                v.push((k.into(), "on".into()));
            }
        }
        v
    }
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks the form and prepares the write (creating its tags) inside the unit of work `tx`.
async fn to_write(tx: &dyn Tx, form: &FeedItemForm) -> Result<FeedItemWrite, AppError> {
    let mut errors = Vec::new();
    let headline = one_line(&form.headline);
    let n = headline.chars().count();
    if n == 0 {
        errors.push(err("headline", "Write a headline for the update."));
    } else if n > MAX_HEADLINE {
        errors.push(err(
            "headline",
            format!("Keep headlines to {MAX_HEADLINE} characters (this one has {n})."),
        ));
    }
    let n = form.body.chars().count();
    if n > MAX_BODY {
        errors.push(err(
            "body",
            format!("Updates can be at most {MAX_BODY} characters (this one has {n})."),
        ));
    }
    let article_id = match form.article.trim() {
        "" => None,
        slug => match tx.article_by_slug(slug).await? {
            Some(a) if a.status == ArticleStatus::Published => Some(a.id),
            _ => {
                errors.push(err(
                    "article",
                    "Link a published article by its address (slug).",
                ));
                None
            }
        },
    };
    let section_id = match form.section.trim() {
        "" => None,
        slug => match tx.sections().await?.into_iter().find(|s| s.slug == slug) {
            Some(s) => Some(s.id),
            None => {
                errors.push(err("section", "Choose a section."));
                None
            }
        },
    };
    let tags = match parse_tags(&form.tags) {
        Ok(t) => t,
        Err(m) => {
            errors.push(err("tags", m));
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tag_ids = Vec::new();
    for (slug, name) in &tags {
        tag_ids.push(tx.ensure_tag(slug, name).await?);
    }
    let body = render_markdown_limited(&form.body);
    Ok(FeedItemWrite {
        headline,
        body_md: form.body.clone(),
        body_html: body.html,
        article_id,
        section_id,
        tag_ids,
        key_event: form.key_event,
        pinned: form.pinned,
        breaking: form.breaking,
    })
}

/// Posts a new update or saves an edit; returns the item id.
pub async fn post(svc: &Services, viewer: &Viewer, form: FeedItemForm) -> Result<i64, AppError> {
    viewer.require(Role::Editor)?;
    let now = svc.clock.now();
    let tx = svc.store.begin().await?;
    let write = to_write(&*tx, &form).await?;
    let (id, action) = match form.id {
        None => {
            let (id, _) = tx
                .create_feed_item(&write, (viewer.user_id, &viewer.name), now)
                .await?;
            (id, AuditAction::FeedPost)
        }
        Some(id) => {
            tx.update_feed_item(id, &write, now).await?;
            (id, AuditAction::FeedEdit)
        }
    };
    audit::record(
        svc,
        &*tx,
        viewer,
        action,
        (AuditTarget::FeedItem, Some(id)),
        write.headline.clone(),
    )
    .await?;
    tx.commit().await?;
    svc.live.wake();
    Ok(id)
}

/// Deletes an update (readers' pages remove it live).
pub async fn delete(svc: &Services, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let item = tx.feed_item(id).await?.ok_or(AppError::NotFound)?;
    tx.delete_feed_item(id, svc.clock.now()).await?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::Delete,
        (AuditTarget::FeedItem, Some(id)),
        item.headline,
    )
    .await?;
    tx.commit().await?;
    svc.live.wake();
    Ok(())
}

/// Pins or unpins an update.
pub async fn set_pinned(
    svc: &Services,
    viewer: &Viewer,
    id: i64,
    pinned: bool,
) -> Result<(), AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let item = tx
        .feed_item(id)
        .await?
        .filter(|i| !i.deleted)
        .ok_or(AppError::NotFound)?;
    let form = form_of(&item);
    let mut write = to_write(&*tx, &FeedItemForm { pinned, ..form }).await?;
    write.pinned = pinned;
    tx.update_feed_item(id, &write, svc.clock.now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound,
            other => other.into(),
        })?;
    audit::record(
        svc,
        &*tx,
        viewer,
        if pinned {
            AuditAction::FeedPin
        } else {
            AuditAction::FeedUnpin
        },
        (AuditTarget::FeedItem, Some(id)),
        item.headline,
    )
    .await?;
    tx.commit().await?;
    svc.live.wake();
    Ok(())
}

/// The live payload of a News Feed event: the item as readers see it, or its removal.
pub async fn live_payload(svc: &Services, rec: &LiveEventRecord) -> Payload {
    match svc.store.feed_item(rec.target_id).await {
        Ok(Some(item)) if rec.kind == LiveKind::Upsert && !item.deleted => {
            (LiveKind::Upsert, item_json(svc, &item))
        }
        _ => gone(rec.target_id),
    }
}

/// The JSON a reader's page gets for a new or changed item: the same HTML the server renders.
pub fn item_json(svc: &Services, item: &FeedItem) -> String {
    let html = svc
        .live
        .views()
        .and_then(|v| render_safely(|| (v.feed_item)(item, &svc.site)))
        .unwrap_or_default();
    serde_json::json!({
        "item": item.id,
        "key": item.key_event,
        "pinned": item.pinned,
        "headline": item.headline,
        "html": html,
    })
    .to_string()
}

/// The composer form for an existing item.
pub fn form_of(item: &FeedItem) -> FeedItemForm {
    let article = match &item.article {
        Some(a) => a.href.rsplit('/').next().unwrap_or_default().to_owned(),
        None => String::new(),
    };
    FeedItemForm {
        id: Some(item.id),
        headline: item.headline.clone(),
        body: item.body_md.clone(),
        article,
        section: item
            .section
            .as_ref()
            .map(|s| s.slug.clone())
            .unwrap_or_default(),
        tags: item
            .tags
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
        key_event: item.key_event,
        pinned: item.pinned,
        breaking: item.breaking,
    }
}

/// A page of the feed: the newest items, or those before `before`.
pub async fn feed_page(
    svc: &Services,
    before: Option<i64>,
    key_events_only: bool,
    limit: u32,
) -> Result<FeedPage, AppError> {
    // Read the log's head first: anything logged after it is replayed to the page, and an
    // item that is both in the page and replayed is simply replaced in place.
    // The newest event this node has sequenced: anything later is replayed (idempotently).
    let after_event = svc.live.last_id();
    let items = svc
        .store
        .feed_items(FeedQuery {
            before,
            key_events_only,
            limit,
        })
        .await?;
    if items.is_empty() && before.is_some() {
        return Err(AppError::NotFound);
    }
    let older = (items.len() as u32 == limit)
        .then(|| {
            items
                .iter()
                .filter(|i| !i.pinned || before.is_some())
                .map(|i| i.id)
                .min()
        })
        .flatten();
    Ok(FeedPage {
        items,
        after_event,
        key_events_only,
        older,
        paged: before.is_some(),
    })
}

/// One update, for its permalink (410 once deleted).
pub async fn item(svc: &Services, id: i64) -> Result<FeedItem, AppError> {
    match svc.store.feed_item(id).await? {
        Some(i) if i.deleted => Err(AppError::Gone),
        Some(i) => Ok(i),
        None => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests;
