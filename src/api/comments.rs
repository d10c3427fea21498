//! Server functions for comments: posting, editing, deleting and reporting (readers), and the
//! moderation queue (editors).

use crate::model::{AppError, FormOutcome, ModerationPage};
use leptos::{prelude::*, server_fn::codec::GetUrl};
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use crate::{
    api::{account::reader, auth::require, ctx, forms},
    model::{CommentMode, ModerationAction, ModerationTab, Role},
    server::comments::{self as domain, Posted},
};

/// Posts a comment or a reply. Fields: `article_id`, `parent_id` (replies), `body`, `form`
/// (which form, for the no-JavaScript result), `website` (honeypot).
#[server(prefix = "/api", endpoint = "comments/post")]
pub async fn post_comment(
    #[server(flatten)] fields: HashMap<String, String>,
) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let form_id = {
        let f = get("form");
        if f == "comment-new"
            || (f.starts_with("reply-") && f[6..].chars().all(|c| c.is_ascii_digit()))
        {
            f
        } else {
            "comment-new".to_owned()
        }
    };
    let body = get("body");
    let result = match reader() {
        None => Err(AppError::Unauthorized),
        Some(r) => {
            let article_id = get("article_id").parse().unwrap_or(0);
            let parent = get("parent_id").parse().ok();
            domain::post(
                &svc,
                &r,
                article_id,
                parent,
                &body,
                &get("website"),
                &ctx::client_ip(),
            )
            .await
            .map(|posted| match posted {
                Posted::Published(id) => FormOutcome {
                    set: vec![("body".into(), String::new())],
                    ..FormOutcome::message(format!("Your comment is published. (#{id})"))
                },
                Posted::Held(_) => FormOutcome {
                    set: vec![("body".into(), String::new())],
                    ..FormOutcome::message(
                        "Thank you! Your comment will appear once a moderator has approved it.",
                    )
                },
                Posted::Ignored => FormOutcome::message("Thank you!"),
            })
        }
    };
    forms::finish(&form_id, &[("body", &body)], result).await
}

/// Edits one's own comment (within the edit window).
#[server(prefix = "/api", endpoint = "comments/edit")]
pub async fn edit_comment(id: i64, body: String) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let result = match reader() {
        None => Err(AppError::Unauthorized),
        Some(r) => domain::edit(&svc, &r, id, &body, &ctx::client_ip())
            .await
            .map(|_| FormOutcome::message("Comment updated.")),
    };
    forms::finish(&format!("edit-{id}"), &[("body", &body)], result).await
}

/// Deletes one's own comment.
#[server(prefix = "/api", endpoint = "comments/delete")]
pub async fn delete_comment(id: i64) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let result = match reader() {
        None => Err(AppError::Unauthorized),
        Some(r) => domain::delete(&svc, &r, id)
            .await
            .map(|_| FormOutcome::message("Comment deleted.")),
    };
    forms::finish(&format!("delete-{id}"), &[], result).await
}

/// Reports a comment to the moderators (signed in or not).
#[server(prefix = "/api", endpoint = "comments/report")]
pub async fn report_comment(id: i64, reason: String) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let r = reader();
    let result = domain::report(&svc, r.as_ref(), &ctx::client_ip(), id, &reason)
        .await
        .map(|_| FormOutcome::message("Thank you. A moderator will look at this comment."));
    forms::finish(&format!("report-{id}"), &[], result).await
}

/// The moderation queue (editors).
#[server(prefix = "/api", endpoint = "editor/moderation", input = GetUrl)]
pub async fn moderation(tab: Option<String>) -> Result<ModerationPage, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let tab = match tab.as_deref() {
        None | Some("") => ModerationTab::default(),
        Some(t) => match t.parse() {
            Ok(t) => t,
            Err(e) => return ctx::respond(Err(AppError::from(e))),
        },
    };
    ctx::respond(domain::queue(&svc, viewer, tab).await)
}

/// A moderation decision: approve, reject, spam, ban, feature, unfeature, dismiss.
#[server(prefix = "/api", endpoint = "editor/moderate")]
pub async fn moderate(id: i64, action: String) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = match action.parse::<ModerationAction>() {
        Ok(action) => domain::moderate(&svc, &viewer, id, action)
            .await
            .map(FormOutcome::message),
        Err(e) => Err(AppError::from(e)),
    };
    forms::finish(&format!("moderate-{id}"), &[], result).await
}

/// Sets an article's comment mode: `default`, `open`, `premoderated` or `closed`.
#[server(prefix = "/api", endpoint = "editor/comment-mode")]
pub async fn set_comment_mode(article_id: i64, mode: String) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    // `default` returns to the site's setting; anything else must name a mode.
    let result = match mode.as_str() {
        "default" | "" => Ok(None),
        m => CommentMode::parse(m).map(Some).ok_or_else(|| {
            AppError::Request(format!(
                "{:?} is not a comment mode",
                m.chars().take(40).collect::<String>()
            ))
        }),
    };
    let result = match result {
        Ok(mode) => domain::set_mode(&svc, &viewer, article_id, mode)
            .await
            .map(FormOutcome::message),
        Err(e) => Err(e),
    };
    forms::finish("comment-mode", &[], result).await
}
