//! Server functions for newsletters: public sign-up, confirmation and preferences (signed
//! links, no account), and the editors' subscriber and issue views.

use crate::model::{
    AppError, ConfirmPage, FormOutcome, IssuePage, NewsletterAdminPage, PreferencesPage,
};
use leptos::{prelude::*, server_fn::codec::GetUrl};
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use crate::{
    api::{auth::require, ctx, forms},
    model::Role,
    server::newsletters as domain,
};

/// Sign-up forms on the site, by id (the id keys the no-JavaScript result).
pub const SIGNUP_FORMS: [&str; 4] = [
    "signup-hub",
    "signup-article",
    "signup-footer",
    "signup-front",
];

/// Newsletter slugs ticked in a form (`nl_<slug>` fields).
pub fn ticked(fields: &HashMap<String, String>) -> Vec<String> {
    let mut v: Vec<String> = fields
        .keys()
        .filter_map(|k| k.strip_prefix("nl_").map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// Signs up for newsletters (double opt-in). Fields: `email`, `nl_<slug>` per newsletter,
/// `form` (which form), and `website` (a honeypot people never see).
#[server(prefix = "/api", endpoint = "newsletter/subscribe")]
pub async fn subscribe(
    #[server(flatten)] fields: HashMap<String, String>,
) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let form = fields
        .get("form")
        .map(String::as_str)
        .filter(|f| SIGNUP_FORMS.contains(f))
        .unwrap_or("signup-hub");
    let email = fields.get("email").cloned().unwrap_or_default();
    let honeypot = fields.get("website").cloned().unwrap_or_default();
    let result = domain::subscribe(&svc, &email, &ticked(&fields), &honeypot, &ctx::client_ip())
        .await
        .map(FormOutcome::message);
    let mut values: Vec<(&str, &str)> = vec![("email", email.as_str())];
    for k in fields.keys().filter(|k| k.starts_with("nl_")) {
        values.push((k.as_str(), "on"));
    }
    forms::finish(form, &values, result).await
}

/// The confirmation page's data (GET: shows a button, confirms nothing).
#[server(prefix = "/api", endpoint = "newsletter/confirm-page", input = GetUrl)]
pub async fn get_confirm_page(token: String) -> Result<ConfirmPage, AppError> {
    let svc = ctx::services()?;
    ctx::respond(domain::confirm_page(&svc, &token).await)
}

/// Confirms a subscription (the button on the confirmation page).
#[server(prefix = "/api", endpoint = "newsletter/confirm")]
pub async fn confirm(token: String) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let result = domain::confirm(&svc, &token)
        .await
        .map(FormOutcome::message);
    forms::finish("confirm", &[], result).await
}

/// The preferences page's data.
#[server(prefix = "/api", endpoint = "newsletter/preferences", input = GetUrl)]
pub async fn get_preferences(token: String) -> Result<PreferencesPage, AppError> {
    let svc = ctx::services()?;
    ctx::respond(domain::preferences_page(&svc, &token).await)
}

/// Saves the newsletters ticked on the preferences page (`token`, `nl_<slug>`).
#[server(prefix = "/api", endpoint = "newsletter/save-preferences")]
pub async fn save_preferences(
    #[server(flatten)] fields: HashMap<String, String>,
) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let token = fields.get("token").cloned().unwrap_or_default();
    let result = domain::save_preferences(&svc, &token, &ticked(&fields))
        .await
        .map(FormOutcome::message);
    forms::finish("preferences", &[], result).await
}

/// Unsubscribes from everything (preferences page).
#[server(prefix = "/api", endpoint = "newsletter/unsubscribe-all")]
pub async fn unsubscribe_all(token: String) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let result = domain::unsubscribe_all(&svc, &token)
        .await
        .map(FormOutcome::message);
    forms::finish("unsubscribe-all", &[], result).await
}

/// Unsubscribes with an email's link (the button on the unsubscribe page).
#[server(prefix = "/api", endpoint = "newsletter/unsubscribe")]
pub async fn unsubscribe(token: String) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let result = domain::one_click(&svc, &token)
        .await
        .map(FormOutcome::message);
    forms::finish("unsubscribe", &[], result).await
}

/// Subscriber counts, search and issues (editors).
#[server(prefix = "/api", endpoint = "editor/newsletters", input = GetUrl)]
pub async fn get_newsletter_admin(q: Option<String>) -> Result<NewsletterAdminPage, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    ctx::respond(domain::admin_page(&svc, viewer, q.unwrap_or_default()).await)
}

/// Unsubscribes a reader from one newsletter on their behalf (editors).
#[server(prefix = "/api", endpoint = "editor/newsletter-unsubscribe")]
pub async fn manual_unsubscribe(
    subscriber_id: i64,
    newsletter: String,
) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = domain::manual_unsubscribe(&svc, &viewer, subscriber_id, &newsletter)
        .await
        .map(FormOutcome::message);
    forms::finish(
        &format!("unsubscribe-{subscriber_id}-{newsletter}"),
        &[],
        result,
    )
    .await
}

/// The issue composer (new when `id` is 0) with its preview and progress.
#[server(prefix = "/api", endpoint = "editor/issue", input = GetUrl)]
pub async fn get_issue(id: i64) -> Result<IssuePage, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    ctx::respond(domain::issue_page(&svc, viewer, (id > 0).then_some(id)).await)
}

/// Saves an issue draft: `id`, `newsletter`, `subject`, `intro`, `a_<article id>` per story.
#[server(prefix = "/api", endpoint = "editor/save-issue")]
pub async fn save_issue(
    #[server(flatten)] fields: HashMap<String, String>,
) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let id = get("id").parse::<i64>().ok().filter(|i| *i > 0);
    let mut articles: Vec<i64> = fields
        .keys()
        .filter_map(|k| k.strip_prefix("a_").and_then(|i| i.parse().ok()))
        .collect();
    articles.sort_unstable_by(|a, b| b.cmp(a));
    let result = domain::save_issue(
        &svc,
        &viewer,
        id,
        &get("newsletter"),
        &get("subject"),
        &get("intro"),
        &articles,
    )
    .await
    .map(|saved| FormOutcome {
        redirect: Some(format!("/editor/newsletters/issues/{saved}?saved=1")),
        ..FormOutcome::message("Saved. Check the preview, then send.")
    });
    let values = [
        ("newsletter", get("newsletter")),
        ("subject", get("subject")),
        ("intro", get("intro")),
    ];
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    forms::finish("issue", &values, result).await
}

/// Starts sending an issue to every confirmed subscriber of its newsletter.
#[server(prefix = "/api", endpoint = "editor/send-issue")]
pub async fn send_issue(id: i64) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = domain::start_sending(&svc, &viewer, id)
        .await
        .map(|n| FormOutcome {
            redirect: Some(format!("/editor/newsletters/issues/{id}")),
            ..FormOutcome::message(format!("Sending to {n} subscribers."))
        });
    forms::finish("send-issue", &[], result).await
}
