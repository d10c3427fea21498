//! Newsletters: sign-up with double opt-in, signed links for confirming, managing and leaving,
//! issues composed by editors, and a durable sender.

use crate::{
    app::format::escape_html,
    model::{
        AppError, ArticleCard, ConfirmPage, IssuePage, NewsletterAdminPage, NewsletterInfo,
        NewsletterStats, PreferenceRow, PreferencesPage, Role, Viewer,
    },
    server::{
        crypto,
        editorial::audit,
        email::{INVALID_EMAIL, normalize},
        limits,
        mail::{MailError, OutgoingMail, SendError},
        state::Services,
        store::{DueDelivery, IssueRecord, Listing, StoreError},
        text::{one_line, render_markdown},
    },
};
use chrono::Duration;
use std::{collections::HashMap, sync::Arc};

/// What every sign-up form says on success, whether the address is new or not.
pub const SIGNUP_SUCCESS: &str = "Thank you for signing up! We've sent you a confirmation \
     email. Please click the link in it to start receiving the newsletter.";
/// Confirmation links last this long; unconfirmed sign-ups are deleted after a week.
pub fn confirm_ttl() -> Duration {
    Duration::hours(48)
}
fn pending_expiry() -> Duration {
    Duration::days(7)
}
/// Sign-ups allowed per address and per IP address per hour.
pub const SIGNUPS_PER_ADDRESS: u32 = 5;
pub const SIGNUPS_PER_IP: u32 = 20;
/// Deliveries handled per batch (one SMTP connection each).
pub const BATCH: u32 = 100;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 5;

fn configured(svc: &Services) -> &[NewsletterInfo] {
    &svc.site.newsletters
}

fn names(svc: &Services, slugs: &[String]) -> Vec<String> {
    slugs
        .iter()
        .filter_map(|s| {
            configured(svc)
                .iter()
                .find(|n| &n.slug == s)
                .map(|n| n.name.clone())
        })
        .collect()
}

fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn link(svc: &Services, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", svc.config.site.base_url)
}

/// Who a signed link is for: the subscriber id and a keyed hash of the address it was sent to.
/// Ids come back after a row is deleted; a link made for the old row then names another
/// address and is refused (issue #15, item 5).
fn subject(svc: &Services, id: i64, email: &str) -> String {
    format!("{id}:{}", address_tag(svc, email))
}

fn address_tag(svc: &Services, email: &str) -> String {
    crypto::sha256_hex(&format!(
        "{}|subscriber|{email}",
        hex::encode(svc.secret.bytes())
    ))[..20]
        .to_owned()
}

fn confirm_token(svc: &Services, id: i64, email: &str, newsletters: &[String]) -> String {
    let expires = svc.clock.now() + confirm_ttl();
    crypto::sign(
        svc.secret.bytes(),
        "confirm",
        &format!("{}|{}", subject(svc, id, email), newsletters.join(",")),
        expires,
    )
}

/// A year-long link to the preferences page of the subscriber `id` at `email`.
pub fn preferences_token(svc: &Services, id: i64, email: &str) -> String {
    crypto::sign(
        svc.secret.bytes(),
        "preferences",
        &subject(svc, id, email),
        svc.clock.now() + Duration::days(365),
    )
}

/// A long-lived one-click unsubscribe link (`None` = every newsletter).
pub fn unsubscribe_token(svc: &Services, id: i64, email: &str, newsletter: Option<&str>) -> String {
    crypto::sign(
        svc.secret.bytes(),
        "unsubscribe",
        &format!("{}|{}", subject(svc, id, email), newsletter.unwrap_or("*")),
        svc.clock.now() + Duration::days(365 * 5),
    )
}

fn expired_link() -> AppError {
    AppError::field(
        "token",
        "This link has expired or is not valid. Sign up again, or use the link in a newer email.",
    )
}

fn verify(svc: &Services, purpose: &str, token: &str) -> Result<String, AppError> {
    crypto::verify(svc.secret.bytes(), purpose, token, svc.clock.now()).map_err(|_| expired_link())
}

fn parse_pair(payload: &str) -> Result<(&str, String), AppError> {
    let (who, rest) = payload.split_once('|').ok_or_else(expired_link)?;
    Ok((who, rest.to_owned()))
}

/// The subscriber a link's subject names, if it is still the one the link was made for.
async fn subscriber_of(svc: &Services, subject: &str) -> Result<(i64, String), AppError> {
    let (id, tag) = subject.split_once(':').ok_or_else(expired_link)?;
    let id: i64 = id.parse().map_err(|_| expired_link())?;
    let email = svc
        .store
        .subscriber_email(id)
        .await?
        .ok_or_else(expired_link)?;
    let expected = address_tag(svc, &email);
    if !crate::server::hardening::same_secret(tag.as_bytes(), expected.as_bytes()) {
        return Err(expired_link());
    }
    Ok((id, email))
}

/// Signs an address up to newsletters and sends the confirmation email. The answer is the
/// same for new and known addresses, and for the honeypot.
pub async fn subscribe(
    svc: &Services,
    email: &str,
    newsletters: &[String],
    honeypot: &str,
    ip: &str,
) -> Result<String, AppError> {
    if !honeypot.trim().is_empty() {
        tracing::info!("sign-up honeypot filled; ignored");
        return Ok(SIGNUP_SUCCESS.into());
    }
    let mut wanted: Vec<String> = Vec::new();
    for n in newsletters {
        if configured(svc).iter().any(|c| &c.slug == n) && !wanted.contains(n) {
            wanted.push(n.clone());
        }
    }
    let address = normalize(email);
    let mut errors = Vec::new();
    if address.is_err() {
        errors.push(crate::model::FieldError {
            field: "email".into(),
            message: INVALID_EMAIL.into(),
        });
    }
    if wanted.is_empty() {
        errors.push(crate::model::FieldError {
            field: "newsletters".into(),
            message: "Choose at least one newsletter.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let address = address.expect("checked above");
    let now = svc.clock.now();
    let slow = "Too many sign-ups from here. Please try again in an hour.";
    limits::hit(svc, limits::SIGNUP_NETWORK, &limits::network(ip), slow).await?;
    limits::hit(
        svc,
        limits::SIGNUP_MAILBOX,
        &limits::mailbox(&address),
        slow,
    )
    .await?;
    let (id, pending) = svc.store.subscribe(&address, &wanted, now).await?;
    if !pending.is_empty() {
        send_confirmation(svc, id, &address, &pending).await?;
    }
    Ok(SIGNUP_SUCCESS.into())
}

async fn send_confirmation(
    svc: &Services,
    id: i64,
    address: &str,
    newsletters: &[String],
) -> Result<(), AppError> {
    let list = join_names(&names(svc, newsletters));
    let confirm = link(
        svc,
        "/newsletters/confirm",
        &confirm_token(svc, id, address, newsletters),
    );
    let preferences = link(
        svc,
        "/newsletters/preferences",
        &preferences_token(svc, id, address),
    );
    let site = &svc.config.site.name;
    let text = format!(
        "Please confirm that you want to receive {list} from {site}:\n\n{confirm}\n\n\
         The link works for 48 hours. If you did not sign up, ignore this email and you will \
         not hear from us again.\n\nManage your newsletters: {preferences}\n"
    );
    let html = format!(
        "<p>Please confirm that you want to receive <strong>{}</strong> from {}.</p>\
         <p><a href=\"{}\">Confirm my subscription</a></p>\
         <p>The link works for 48 hours. If you did not sign up, ignore this email and you \
         will not hear from us again.</p><p><a href=\"{}\">Manage your newsletters</a></p>",
        escape_html(&list),
        escape_html(site),
        escape_html(&confirm),
        escape_html(&preferences)
    );
    if svc.mailer.is_file() && crate::server::hardening::is_development_site(&svc.config) {
        // Development: the outbox folder has the .eml; the log has the link.
        tracing::info!(%confirm, "confirmation email written to the outbox");
    }
    svc.mailer
        .send(OutgoingMail {
            to: address.to_owned(),
            subject: format!("Confirm your subscription: {list}"),
            text,
            html: Some(html),
            unsubscribe_url: Some(link(
                svc,
                "/newsletters/unsubscribe",
                &unsubscribe_token(svc, id, address, None),
            )),
            list_id: None,
            message_id: None,
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "confirmation email not sent");
            AppError::Conflict(
                "We could not send the confirmation email just now. Please try again in a few minutes."
                    .into(),
            )
        })
}

/// The confirmation page for a link: what it confirms, or why it cannot.
pub async fn confirm_page(svc: &Services, token: &str) -> Result<ConfirmPage, AppError> {
    let parsed = match verify(svc, "confirm", token) {
        Ok(p) => match parse_pair(&p) {
            Ok((who, list)) => subscriber_of(svc, who).await.map(|(id, _)| (id, list)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (id, list) = match parsed {
        Ok(v) => v,
        Err(e) => {
            return Ok(ConfirmPage {
                token: String::new(),
                newsletters: vec![],
                email: String::new(),
                problem: Some(e.to_string()),
            });
        }
    };
    let email = svc.store.subscriber_email(id).await?.unwrap_or_default();
    let slugs: Vec<String> = list.split(',').map(str::to_owned).collect();
    Ok(ConfirmPage {
        token: token.to_owned(),
        newsletters: names(svc, &slugs),
        email,
        problem: None,
    })
}

/// Confirms the subscriptions named in a link (a POST: link scanners only GET).
pub async fn confirm(svc: &Services, token: &str) -> Result<String, AppError> {
    let payload = verify(svc, "confirm", token)?;
    let (who, list) = parse_pair(&payload)?;
    let (id, _) = subscriber_of(svc, who).await?;
    let slugs: Vec<String> = list.split(',').map(str::to_owned).collect();
    svc.store.confirm(id, &slugs, svc.clock.now()).await?;
    Ok(format!(
        "You're subscribed to {}. Thank you! The next edition will be in your inbox.",
        join_names(&names(svc, &slugs))
    ))
}

async fn preferences_subscriber(svc: &Services, token: &str) -> Result<(i64, String), AppError> {
    subscriber_of(svc, &verify(svc, "preferences", token)?).await
}

/// The preferences page.
pub async fn preferences_page(svc: &Services, token: &str) -> Result<PreferencesPage, AppError> {
    let (id, email) = preferences_subscriber(svc, token).await?;
    let subs: HashMap<String, String> = svc.store.subscriptions_of(id).await?.into_iter().collect();
    Ok(PreferencesPage {
        email,
        token: token.to_owned(),
        rows: configured(svc)
            .iter()
            .map(|n| {
                let status = subs.get(&n.slug).map(String::as_str);
                PreferenceRow {
                    newsletter: n.clone(),
                    subscribed: status == Some("confirmed"),
                    pending: status == Some("pending"),
                }
            })
            .collect(),
    })
}

/// Saves which newsletters a subscriber wants.
pub async fn save_preferences(
    svc: &Services,
    token: &str,
    wanted: &[String],
) -> Result<String, AppError> {
    let (id, _) = preferences_subscriber(svc, token).await?;
    let all: Vec<String> = configured(svc).iter().map(|n| n.slug.clone()).collect();
    let wanted: Vec<String> = wanted.iter().filter(|w| all.contains(w)).cloned().collect();
    svc.store
        .set_subscriptions(id, &all, &wanted, svc.clock.now())
        .await?;
    Ok(if wanted.is_empty() {
        "Saved. You will not receive any of our newsletters.".into()
    } else {
        format!(
            "Saved. You will receive {}.",
            join_names(&names(svc, &wanted))
        )
    })
}

/// Unsubscribes from everything, from the preferences page.
pub async fn unsubscribe_all(svc: &Services, token: &str) -> Result<String, AppError> {
    let (id, _) = preferences_subscriber(svc, token).await?;
    svc.store.unsubscribe(id, None, svc.clock.now()).await?;
    Ok("You have been unsubscribed from all our newsletters.".into())
}

/// One-click unsubscribe (RFC 8058) with a link from an email.
pub async fn one_click(svc: &Services, token: &str) -> Result<String, AppError> {
    let payload = verify(svc, "unsubscribe", token)?;
    let (who, which) = parse_pair(&payload)?;
    let (id, _) = subscriber_of(svc, who).await?;
    let newsletter = (which != "*").then_some(which.as_str());
    svc.store
        .unsubscribe(id, newsletter, svc.clock.now())
        .await?;
    Ok(match newsletter {
        Some(n) => format!(
            "You have been unsubscribed from {}.",
            join_names(&names(svc, &[n.to_owned()]))
        ),
        None => "You have been unsubscribed from all our newsletters.".into(),
    })
}

/// Deletes sign-ups never confirmed within a week.
pub async fn expire_pending(svc: &Services) -> Result<u64, AppError> {
    Ok(svc
        .store
        .expire_pending(svc.clock.now() - pending_expiry())
        .await?)
}

fn require_editor(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.can(Role::Editor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The newsletters overview for editors.
pub async fn admin_page(
    svc: &Services,
    viewer: Viewer,
    query: String,
) -> Result<NewsletterAdminPage, AppError> {
    require_editor(&viewer)?;
    let counts = svc.store.subscription_counts().await?;
    let count = |n: &str, s: &str| {
        counts
            .iter()
            .find(|(cn, cs, _)| cn == n && cs == s)
            .map(|(_, _, c)| *c)
            .unwrap_or(0)
    };
    let stats = configured(svc)
        .iter()
        .map(|n| NewsletterStats {
            newsletter: n.clone(),
            confirmed: count(&n.slug, "confirmed"),
            pending: count(&n.slug, "pending"),
            unsubscribed: count(&n.slug, "unsubscribed"),
        })
        .collect();
    let q = query.trim().to_lowercase();
    let subscribers = if q.is_empty() {
        Vec::new()
    } else {
        svc.store.search_subscriptions(&q, 100).await?
    };
    Ok(NewsletterAdminPage {
        viewer,
        stats,
        query,
        subscribers,
        issues: svc.store.issues(20).await?,
    })
}

/// CSV of one newsletter's subscriptions (RFC 4180 quoting; formula-looking cells defused).
pub async fn export_csv(
    svc: &Services,
    viewer: &Viewer,
    newsletter: &str,
) -> Result<String, AppError> {
    require_editor(viewer)?;
    if !configured(svc).iter().any(|n| n.slug == newsletter) {
        return Err(AppError::NotFound);
    }
    let cell = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("email,status,signed_up,confirmed\r\n");
    for (email, status, requested, confirmed) in svc.store.export_subscriptions(newsletter).await? {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            cell(&email),
            cell(&status),
            requested.to_rfc3339(),
            confirmed.map(|c| c.to_rfc3339()).unwrap_or_default()
        ));
    }
    audit(
        svc,
        viewer,
        "newsletter_export",
        "newsletter",
        None,
        newsletter.to_owned(),
    )
    .await?;
    Ok(out)
}

/// An editor unsubscribes someone (on request, or after bounces).
pub async fn manual_unsubscribe(
    svc: &Services,
    viewer: &Viewer,
    id: i64,
    newsletter: &str,
) -> Result<String, AppError> {
    require_editor(viewer)?;
    let email = svc
        .store
        .subscriber_email(id)
        .await?
        .ok_or(AppError::NotFound)?;
    svc.store
        .unsubscribe(id, Some(newsletter), svc.clock.now())
        .await?;
    audit(
        svc,
        viewer,
        "newsletter_unsubscribe",
        "subscriber",
        Some(id),
        format!("{email} from {newsletter}"),
    )
    .await?;
    Ok(format!("Unsubscribed {email}."))
}

const UNSUBSCRIBE_PLACEHOLDER: &str = "{{unsubscribe_url}}";
const PREFERENCES_PLACEHOLDER: &str = "{{preferences_url}}";

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
    require_editor(&viewer)?;
    let (candidates, _) = svc.store.published(Listing::Latest, 30, 0).await?;
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
    require_editor(viewer)?;
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
    svc.store
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
        })
}

/// Starts sending an issue to its newsletter's confirmed subscribers.
pub async fn start_sending(svc: &Services, viewer: &Viewer, id: i64) -> Result<u64, AppError> {
    require_editor(viewer)?;
    let issue = svc.store.issue(id).await?.ok_or(AppError::NotFound)?;
    let n = svc
        .store
        .start_issue(id, svc.clock.now())
        .await
        .map_err(|e| match e {
            StoreError::Stale => AppError::Conflict("This issue has already been sent.".into()),
            other => other.into(),
        })?;
    audit(
        svc,
        viewer,
        "newsletter_send",
        "newsletter_issue",
        Some(id),
        format!("{} to {n} subscribers", issue.subject),
    )
    .await?;
    svc.newsletter_wake.notify_one();
    Ok(n)
}

fn personalise(svc: &Services, issue: &IssueRecord, d: &DueDelivery) -> OutgoingMail {
    let unsubscribe = link(
        svc,
        "/newsletters/unsubscribe",
        &unsubscribe_token(svc, d.subscriber_id, &d.email, Some(&issue.newsletter)),
    );
    let preferences = link(
        svc,
        "/newsletters/preferences",
        &preferences_token(svc, d.subscriber_id, &d.email),
    );
    let host = url::Url::parse(&svc.config.site.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "newsroom.localhost".into());
    OutgoingMail {
        to: d.email.clone(),
        subject: issue.subject.clone(),
        html: Some(
            issue
                .html
                .replace(UNSUBSCRIBE_PLACEHOLDER, &escape_html(&unsubscribe))
                .replace(PREFERENCES_PLACEHOLDER, &escape_html(&preferences)),
        ),
        text: issue
            .text
            .replace(UNSUBSCRIBE_PLACEHOLDER, &unsubscribe)
            .replace(PREFERENCES_PLACEHOLDER, &preferences),
        unsubscribe_url: Some(unsubscribe),
        list_id: Some(format!(
            "{} <{}.{host}>",
            issue.newsletter, issue.newsletter
        )),
        // Stable per issue and recipient, so mail clients can also spot a duplicate.
        message_id: Some(format!(
            "issue-{}.subscriber-{}@{host}",
            issue.id, d.subscriber_id
        )),
    }
}

/// Sends one batch of due deliveries; returns how many were handled.
pub async fn send_due(svc: &Arc<Services>) -> Result<usize, AppError> {
    let now = svc.clock.now();
    let due = svc.store.due_deliveries(now, BATCH).await?;
    if due.is_empty() {
        let done = svc.store.finish_issues(now).await?;
        if !done.is_empty() {
            tracing::info!(?done, "newsletter issues sent");
        }
        return Ok(0);
    }
    let mut issues: HashMap<i64, IssueRecord> = HashMap::new();
    for d in &due {
        if !issues.contains_key(&d.issue_id)
            && let Some(i) = svc.store.issue(d.issue_id).await?
        {
            issues.insert(d.issue_id, i);
        }
    }
    // Several SMTP sessions at once: lettre writes the terminating dot as its own small
    // packet and does not disable Nagle's algorithm, so each message waits for a delayed ACK
    // (~40 ms). Parallel connections keep the configured rate reachable, as bulk senders do.
    let workers = (svc.config.mail.smtp_connections as usize).clamp(1, due.len());
    let per = due.len().div_ceil(workers);
    let issues = Arc::new(issues);
    let mut tasks = Vec::new();
    for chunk in due.chunks(per).map(<[DueDelivery]>::to_vec) {
        let (svc, issues) = (svc.clone(), issues.clone());
        let handle = tokio::runtime::Handle::current();
        tasks.push(tokio::task::spawn_blocking(move || {
            send_batch(&svc, &issues, chunk, workers, &handle)
        }));
    }
    let mut handled = 0;
    for t in tasks {
        handled += t.await.map_err(|_| AppError::Internal)?;
    }
    Ok(handled)
}

/// Sends one worker's share of a batch over one SMTP session (on a blocking thread).
fn send_batch(
    svc: &Arc<Services>,
    issues: &HashMap<i64, IssueRecord>,
    due: Vec<DueDelivery>,
    workers: usize,
    handle: &tokio::runtime::Handle,
) -> usize {
    let pause = std::time::Duration::from_secs_f64(
        workers as f64 / svc.config.mail.send_rate_per_second as f64,
    );
    let mut session: Option<crate::server::mail::Session> = None;
    let mut handled = 0;
    for d in due {
        let Some(issue) = issues.get(&d.issue_id) else {
            continue;
        };
        let mail = personalise(svc, issue, &d);
        let (bytes, envelope) = match svc.mailer.build(&mail) {
            Ok(b) => b,
            Err(e) => {
                let _ = handle.block_on(svc.store.mark_failed(
                    d.issue_id,
                    d.subscriber_id,
                    &e.to_string(),
                ));
                continue;
            }
        };
        if session.as_ref().is_none_or(|s| !s.is_usable()) {
            match svc.mailer.connect() {
                Ok(s) => session = Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "SMTP connection failed; retrying later");
                    break;
                }
            }
        }
        let s = session.as_mut().expect("connected above");
        let commit = || match handle.block_on(svc.store.mark_sent(
            d.issue_id,
            d.subscriber_id,
            svc.clock.now(),
        )) {
            Ok(true) => Ok(()),
            Ok(false) => Err("already sent by another worker".to_owned()),
            Err(e) => Err(e.to_string()),
        };
        let result = s.send(&envelope, &bytes, commit);
        handled += 1;
        std::thread::sleep(pause);
        let Err(SendError { error, committed }) = result else {
            continue;
        };
        let retry_at = match &error {
            MailError::Temporary(_) | MailError::Io(_) if d.attempts + 1 < MAX_ATTEMPTS => {
                Some(svc.clock.now() + Duration::seconds(30 * 2i64.pow(d.attempts as u32)))
            }
            _ => None,
        };
        if matches!(error, MailError::Temporary(_) | MailError::Io(_)) {
            session = None;
        }
        let message = error.to_string();
        let store = &svc.store;
        let outcome = match (&error, committed, retry_at) {
            // Nothing was delivered and nothing recorded: it stays pending as it was.
            (MailError::Uncommitted(_), _, _) => Ok(()),
            // Refused in the reply to the final dot: undo the record.
            (_, true, retry) => {
                handle.block_on(store.revert_sent(d.issue_id, d.subscriber_id, &message, retry))
            }
            (_, false, Some(at)) => {
                handle.block_on(store.mark_retry(d.issue_id, d.subscriber_id, &message, at))
            }
            (_, false, None) => {
                handle.block_on(store.mark_failed(d.issue_id, d.subscriber_id, &message))
            }
        };
        if let Err(e) = outcome {
            tracing::error!(error = %e, "recording a failed delivery failed");
        }
    }
    if let Some(mut s) = session {
        s.quit();
    }
    handled
}

/// Runs the sender until shutdown: woken when an issue starts, and every few seconds.
pub fn spawn_sender(
    svc: Arc<Services>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let handled = match send_due(&svc).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "newsletter sending failed");
                    0
                }
            };
            if handled > 0 {
                if *shutdown.borrow() {
                    break;
                }
                continue;
            }
            tokio::select! {
                _ = svc.newsletter_wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(3)) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}

#[cfg(test)]
mod tests;
