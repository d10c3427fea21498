//! Newsletter issues: composing (rendered once, with placeholders for each recipient's links),
//! the composer page, and starting a send.

use super::configured;
use crate::{
    model::{
        AppError, ArticleCard, AuditAction, AuditTarget, IssuePage, NewsletterInfo, Role, Viewer,
        text::escape_html,
    },
    server::{
        audit,
        state::Services,
        store::{Listing, StoreError},
        text::{one_line, render_markdown},
    },
};

pub(crate) const UNSUBSCRIBE_PLACEHOLDER: &str = "{{unsubscribe_url}}";
pub(crate) const PREFERENCES_PLACEHOLDER: &str = "{{preferences_url}}";

/// Renders an issue's HTML and plain-text bodies (with placeholders for each recipient's links).
pub fn render_issue(
    svc: &Services,
    newsletter: &NewsletterInfo,
    subject: &str,
    intro_md: &str,
    articles: &[ArticleCard],
) -> (String, String) {
    let base = &svc.config.site.base_url;
    let site = &svc.config.site.name;
    let intro = render_markdown(intro_md);
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width\"><title>{}</title></head>\
         <body style=\"margin:0;padding:0;background:#f3f1ea;\">\
         <div style=\"max-width:600px;margin:0 auto;padding:24px;background:#fdfcf8;\
         font-family:Georgia,serif;color:#1a1a1a;line-height:1.5\">\
         <p style=\"font:700 12px/1 sans-serif;letter-spacing:.08em;text-transform:uppercase;\
         color:#b3261e\">{}</p><h1 style=\"font-size:26px;margin:8px 0 16px\">{}</h1>{}",
        escape_html(&svc.config.site.language),
        escape_html(subject),
        escape_html(&newsletter.name),
        escape_html(subject),
        intro.html
    );
    let mut text = format!(
        "{}\n{}\n\n{}\n\n",
        newsletter.name.to_uppercase(),
        subject,
        intro.text
    );
    for a in articles {
        let url = format!("{base}{}", a.href());
        html.push_str(&format!(
            "<div style=\"border-top:1px solid #d9d5c8;padding:14px 0\">\
             <p style=\"margin:0;font:700 11px/1.4 sans-serif;text-transform:uppercase;color:#b3261e\">{}</p>\
             <h2 style=\"font-size:19px;margin:4px 0\"><a href=\"{}\" style=\"color:#1a1a1a\">{}</a></h2>\
             <p style=\"margin:0;color:#4a4a4a\">{}</p></div>",
            escape_html(&a.section.title),
            escape_html(&url),
            escape_html(&a.title),
            escape_html(&a.dek)
        ));
        text.push_str(&format!("* {}\n  {}\n  {}\n\n", a.title, a.dek, url));
    }
    html.push_str(&format!(
        "<p style=\"border-top:3px double #d9d5c8;margin-top:24px;padding-top:12px;\
         font:13px/1.5 sans-serif;color:#4a4a4a\">You are receiving {} because you signed up \
         at {}. <a href=\"{PREFERENCES_PLACEHOLDER}\">Manage your newsletters</a> · \
         <a href=\"{UNSUBSCRIBE_PLACEHOLDER}\">Unsubscribe</a></p></div></body></html>",
        escape_html(&newsletter.name),
        escape_html(site)
    ));
    text.push_str(&format!(
        "--\nYou are receiving {} because you signed up at {site}.\nManage your newsletters: \
         {PREFERENCES_PLACEHOLDER}\nUnsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\n",
        newsletter.name
    ));
    (html, text)
}

/// The issue composer/progress page.
pub async fn issue_page(
    svc: &Services,
    viewer: Viewer,
    id: Option<i64>,
) -> Result<IssuePage, AppError> {
    viewer.require(Role::Editor)?;
    let candidates = svc.store.published(Listing::Latest, 30, 0).await?;
    let record = match id {
        Some(id) => Some(svc.store.issue(id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let summary = match id {
        Some(id) => svc
            .store
            .issues(500)
            .await?
            .into_iter()
            .find(|i| i.id == id),
        None => None,
    };
    let newsletter = record
        .as_ref()
        .map(|r| r.newsletter.clone())
        .or_else(|| configured(svc).first().map(|n| n.slug.clone()))
        .unwrap_or_default();
    Ok(IssuePage {
        viewer,
        recipients: svc.store.confirmed_count(&newsletter).await?,
        issue: summary,
        newsletters: configured(svc).to_vec(),
        candidates,
        chosen: record
            .as_ref()
            .map(|r| r.article_ids.clone())
            .unwrap_or_default(),
        subject: record
            .as_ref()
            .map(|r| r.subject.clone())
            .unwrap_or_default(),
        intro: record
            .as_ref()
            .map(|r| r.intro_md.clone())
            .unwrap_or_default(),
        preview_html: record
            .as_ref()
            .map(|r| {
                r.html
                    .replace(UNSUBSCRIBE_PLACEHOLDER, "#unsubscribe")
                    .replace(PREFERENCES_PLACEHOLDER, "#preferences")
            })
            .unwrap_or_default(),
        newsletter,
    })
}

/// Saves an issue draft (validated) and renders its bodies.
pub async fn save_issue(
    svc: &Services,
    viewer: &Viewer,
    id: Option<i64>,
    newsletter: &str,
    subject: &str,
    intro: &str,
    article_ids: &[i64],
) -> Result<i64, AppError> {
    viewer.require(Role::Editor)?;
    let mut errors = Vec::new();
    let info = configured(svc)
        .iter()
        .find(|n| n.slug == newsletter)
        .cloned();
    if info.is_none() {
        errors.push(crate::model::FieldError {
            field: "newsletter".into(),
            message: "Choose a newsletter.".into(),
        });
    }
    let subject = one_line(subject);
    if subject.is_empty() || subject.chars().count() > 150 {
        errors.push(crate::model::FieldError {
            field: "subject".into(),
            message: "Write a subject line of up to 150 characters.".into(),
        });
    }
    if intro.chars().count() > 10_000 {
        errors.push(crate::model::FieldError {
            field: "intro".into(),
            message: "Keep the introduction under 10,000 characters.".into(),
        });
    }
    let articles = svc.store.cards_by_ids(article_ids).await?;
    if articles.is_empty() {
        errors.push(crate::model::FieldError {
            field: "articles".into(),
            message: "Choose at least one story.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let info = info.expect("checked");
    let (html, text) = render_issue(svc, &info, &subject, intro, &articles);
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let tx = svc.store.begin().await?;
    let id = tx
        .save_issue(
            id,
            newsletter,
            &subject,
            intro,
            &ids,
            &html,
            &text,
            &viewer.name,
            svc.clock.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Stale => AppError::Conflict(
                "This issue is already being sent and can no longer change.".into(),
            ),
            other => other.into(),
        })?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::NewsletterIssue,
        (AuditTarget::NewsletterIssue, Some(id)),
        subject,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Starts sending an issue to its newsletter's confirmed subscribers.
pub async fn start_sending(svc: &Services, viewer: &Viewer, id: i64) -> Result<u64, AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let issue = tx.issue(id).await?.ok_or(AppError::NotFound)?;
    let n = tx
        .start_issue(id, svc.clock.now())
        .await
        .map_err(|e| match e {
            StoreError::Stale => AppError::Conflict("This issue has already been sent.".into()),
            other => other.into(),
        })?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::NewsletterSend,
        (AuditTarget::NewsletterIssue, Some(id)),
        format!(
            "{} to {n} subscriber{}",
            issue.subject,
            if n == 1 { "" } else { "s" }
        ),
    )
    .await?;
    tx.commit().await?;
    svc.newsletter_wake.notify_one();
    Ok(n)
}
