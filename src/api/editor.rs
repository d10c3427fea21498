//! Server functions of the in-app editing views. Every one sits under a guarded URL prefix
//! (`/api/staff/`, `/api/editor/`) and calls `auth::require` first.

use crate::model::{
    AppError, ArticleEditorPage, ArticleListPage, AuditPage, FormOutcome, RevisionPage,
};
use leptos::{
    prelude::*,
    server_fn::codec::{GetUrl, MultipartData, MultipartFormData},
};

#[cfg(feature = "ssr")]
use crate::{
    api::{auth::require, ctx, forms},
    model::{ArticleFilter, ArticleStatus, Role},
    server::{
        articles::{self as editorial, ArticleForm, Intent},
        audit,
    },
};

/// The article list, filtered.
#[server(prefix = "/api", endpoint = "staff/articles", input = GetUrl)]
pub async fn article_list(
    status: Option<String>,
    section: Option<String>,
    author: Option<String>,
    q: Option<String>,
    page: u32,
) -> Result<ArticleListPage, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    let status = match status.as_deref() {
        None | Some("") => None,
        Some(s) => match ArticleStatus::parse(s) {
            Some(s) => Some(s),
            None => {
                return ctx::respond(Err(AppError::Request(format!(
                    "{:?} is not an article status",
                    s.chars().take(40).collect::<String>()
                ))));
            }
        },
    };
    let filter = ArticleFilter {
        status,
        section: section.filter(|s| !s.is_empty()),
        author: author.filter(|s| !s.is_empty()),
        q: q.unwrap_or_default(),
    };
    ctx::respond(editorial::article_list(&svc, viewer, filter, page).await)
}

/// The editor for a new (`id` = 0) or existing article.
#[server(prefix = "/api", endpoint = "staff/article", input = GetUrl)]
pub async fn article_editor(id: i64, restore: bool) -> Result<ArticleEditorPage, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    ctx::respond(editorial::editor_page(&svc, viewer, (id > 0).then_some(id), restore).await)
}

#[cfg(feature = "ssr")]
async fn read_article_form(data: MultipartData, max_upload: u64) -> Result<ArticleForm, AppError> {
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    let mut f = ArticleForm::default();
    while let Some(mut field) = data
        .next_field()
        .await
        .map_err(|e| AppError::Request(e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "hero_image" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| AppError::Request(e.to_string()))?
            {
                bytes.extend_from_slice(&chunk);
                if bytes.len() as u64 > max_upload {
                    return Err(AppError::field(
                        "hero_image",
                        format!(
                            "The image is too large: the limit is {} MB.",
                            max_upload / (1024 * 1024)
                        ),
                    ));
                }
            }
            if !bytes.is_empty() {
                f.hero_upload = Some(bytes);
            }
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| AppError::Request(e.to_string()))?;
        match name.as_str() {
            "id" => f.id = value.parse().ok().filter(|id: &i64| *id > 0),
            "version" => f.version = value.parse().unwrap_or(0),
            "title" => f.title = value,
            "dek" => f.dek = value,
            "slug" => f.slug = value,
            "section" => f.section = value,
            "tags" => f.tags = value,
            "authors" => f.authors.push(value),
            "editors_pick" => f.editors_pick = !value.is_empty(),
            "body" => f.body = value,
            "hero_alt" => f.hero_alt = value,
            "hero_caption" => f.hero_caption = value,
            "hero_credit" => f.hero_credit = value,
            "remove_hero" => f.remove_hero = !value.is_empty(),
            "intent" => f.intent = Intent::parse(&value),
            "publish_at" => f.publish_at = value,
            _ => {}
        }
    }
    Ok(f)
}

/// Saves the article form (multipart: it may carry the hero image), and publishes, schedules
/// or unpublishes it when asked.
#[server(prefix = "/api", endpoint = "staff/save-article", input = MultipartFormData)]
pub async fn save_article(data: MultipartData) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    let form = match read_article_form(data, svc.media.max_bytes()).await {
        Ok(f) => f,
        Err(e) => return forms::finish("article-editor", &[], Err(e)).await,
    };
    let values = form.values();
    let result = editorial::save_article(&svc, &viewer, form)
        .await
        .map(|saved| FormOutcome {
            redirect: saved.created.then(|| {
                format!(
                    "/editor/articles/{}?saved={}",
                    saved.id,
                    saved.status.as_str()
                )
            }),
            set: vec![
                ("version".into(), saved.version.to_string()),
                ("slug".into(), saved.slug.clone()),
            ],
            ..FormOutcome::message(saved.message)
        });
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    forms::finish("article-editor", &values, result).await
}

/// Renders a body exactly as reader pages will show it (for the live preview).
#[server(prefix = "/api", endpoint = "staff/preview")]
pub async fn preview_body(body: String, mode: Option<String>) -> Result<String, AppError> {
    require(Role::Contributor)?;
    if body.chars().count() > editorial::MAX_BODY {
        return ctx::respond(Err(AppError::TooLarge(
            "The story is too long to preview.".into(),
        )));
    }
    // Live updates allow less formatting than articles; the preview shows which.
    Ok(match mode.as_deref() {
        Some("feed") => crate::server::text::render_markdown_limited(&body).html,
        _ => crate::server::text::render_markdown(&body).html,
    })
}

/// Keeps the editor's unsaved text; `values` is a JSON array of `[name, value]` pairs.
#[server(prefix = "/api", endpoint = "staff/autosave")]
pub async fn autosave(article_id: i64, values: String) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    let values: Vec<(String, String)> = serde_json::from_str(&values)
        .map_err(|_| AppError::Request("autosave values must be [name, value] pairs".into()))?;
    let result = editorial::autosave(&svc, &viewer, article_id, values)
        .await
        .map(|at| {
            FormOutcome::message(format!(
                "Autosaved at {}.",
                crate::model::text::time(at, svc.config.tz)
            ))
        });
    ctx::respond(result)
}

/// Drops the editor's autosave for an article.
#[server(prefix = "/api", endpoint = "staff/discard-autosave")]
pub async fn discard_autosave(article_id: i64) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    let result = svc
        .store
        .delete_autosave(article_id, viewer.user_id)
        .await
        .map_err(AppError::from)
        .map(|_| FormOutcome {
            redirect: Some(if article_id > 0 {
                format!("/editor/articles/{article_id}")
            } else {
                "/editor/articles/new".into()
            }),
            ..FormOutcome::message("Autosaved changes discarded.")
        });
    forms::finish("autosave-banner", &[], result).await
}

/// A revision compared with the current article.
#[server(prefix = "/api", endpoint = "staff/revision", input = GetUrl)]
pub async fn revision(article_id: i64, revision_id: i64) -> Result<RevisionPage, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    ctx::respond(editorial::revision_page(&svc, viewer, article_id, revision_id).await)
}

/// Puts a revision's content back, as a new save.
#[server(prefix = "/api", endpoint = "staff/restore-revision")]
pub async fn restore_revision(
    article_id: i64,
    revision_id: i64,
    version: i64,
) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Contributor)?;
    let svc = ctx::services()?;
    let result = editorial::restore_revision(&svc, &viewer, article_id, revision_id, version)
        .await
        .map(|saved| FormOutcome {
            redirect: Some(format!("/editor/articles/{article_id}?saved=restored")),
            ..FormOutcome::message(saved.message)
        });
    forms::finish("restore-revision", &[], result).await
}

/// Deletes an article (editors); its address answers 410 afterwards.
#[server(prefix = "/api", endpoint = "editor/delete-article")]
pub async fn delete_article(id: i64, confirm: Option<String>) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = if confirm.as_deref() != Some("yes") {
        Err(AppError::field(
            "confirm",
            "Tick the box to confirm that this article should be deleted.",
        ))
    } else {
        editorial::delete_article(&svc, &viewer, id)
            .await
            .map(|title| FormOutcome {
                redirect: Some("/editor?deleted=1".into()),
                ..FormOutcome::message(format!("Deleted “{title}”."))
            })
    };
    forms::finish("delete-article", &[], result).await
}

/// The audit log (editors and admins).
#[server(prefix = "/api", endpoint = "editor/audit", input = GetUrl)]
pub async fn audit_log(page: u32) -> Result<AuditPage, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    ctx::respond(audit::page(&svc, viewer, page).await)
}
