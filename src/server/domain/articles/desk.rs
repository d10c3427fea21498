//! The editor's desk: the article list, the editor page with its autosave, and deleting.

use super::{EDITOR_PER_PAGE, MAX_BODY, load, may_edit};
use crate::{
    model::{
        AppError, ArticleEditorPage, ArticleFilter, ArticleListPage, AuditAction, AuditTarget,
        Autosave, Channel, LiveKind, Role, Viewer,
    },
    server::{audit, state::Services},
};
use chrono::{DateTime, Utc};

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
        Some(id) => Some(load(svc, id).await?),
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
        let a = load(svc, article_id).await?;
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

/// Deletes an article (editors only), leaving its address answering 410.
pub async fn delete_article(svc: &Services, viewer: &Viewer, id: i64) -> Result<String, AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let a = tx.article_by_id(id).await?.ok_or(AppError::NotFound)?;
    tx.delete_article(id, svc.clock.now()).await?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::Delete,
        (AuditTarget::Article, Some(id)),
        a.title.clone(),
    )
    .await?;
    tx.log_live_event(Channel::Site, LiveKind::Delete, id, svc.clock.now())
        .await?;
    tx.commit().await?;
    svc.live.wake();
    Ok(a.title)
}
