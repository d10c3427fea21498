//! `/editor/moderation`: comments waiting for a decision, and reported ones.

use super::EditorShell;
use crate::model::{CommentStatus, ModerationTab};
use crate::{
    api::comments::{Moderate, moderation},
    app::{
        components::{
            cards::TimeTag,
            forms::{OnSuccess, ServerForm},
            seo::PageMeta,
        },
        pages::{load_page, query_param},
    },
    model::ModerationPage,
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/editor/moderation`
#[component]
pub fn Moderation() -> impl IntoView {
    load_page(
        moderation(query_param("tab")),
        |page| view! { <QueueView page /> },
    )
}

#[component]
fn QueueView(page: ModerationPage) -> impl IntoView {
    let reported = page.tab == ModerationTab::Reported;
    let items = page
        .items
        .clone()
        .into_iter()
        .map(|i| {
            let form = format!("moderate-{}", i.id);
            let label = format!("Moderate the comment by {}", i.author);
            let actions: Vec<(&str, &str)> = if reported {
                vec![("dismiss", "Keep it"), ("reject", "Remove"), ("spam", "Spam"), ("ban", "Ban reader")]
            } else {
                vec![("approve", "Approve"), ("reject", "Reject"), ("spam", "Spam"), ("ban", "Ban reader")]
            };
            let feature = if i.featured { ("unfeature", "Unfeature") } else { ("feature", "Feature as staff pick") };
            let buttons = actions
                .into_iter()
                .chain((i.status == CommentStatus::Approved).then_some(feature))
                .map(|(action, text)| {
                    view! { <button type="submit" name="action" value=action class="button--small">{text}</button> }
                })
                .collect_view();
            view! {
                <li class="queue-item">
                    <p class="comment__meta">
                        <strong>{i.author.clone()}</strong> " on " <a href=format!("{}#comments", i.article_path)>{i.article_title.clone()}</a>
                        " · " <TimeTag at=i.created_at />
                        {(!i.held_reason.is_empty()).then(|| view! { " · " <span class="flag flag--pinned">{format!("Held: {}", i.held_reason)}</span> })}
                        {(!i.reports.is_empty()).then(|| view! { " · " <span class="flag flag--breaking">{format!("Reported: {}", i.reports.join(", "))}</span> })}
                    </p>
                    <p class="queue-item__body">{i.body.clone()}</p>
                    <ServerForm id=form action=Moderate::PATH on_success=OnSuccess::Hide(".queue-item") label=label>
                        <input type="hidden" name="id" value=i.id />
                        <div class="composer-item__actions">{buttons}</div>
                    </ServerForm>
                </li>
            }
        })
        .collect_view();
    let empty = page.items.is_empty();
    // Without JavaScript the moderated item is gone after the redirect: show its result here.
    let done = crate::app::http::request_flash()
        .filter(|f| f.form.starts_with("moderate-"))
        .map(|f| {
            let class = if f.ok { "form-success" } else { "form-error" };
            view! { <p class=class role="status">{f.message}</p> }
        });
    view! {
        <PageMeta title="Moderation".to_owned() description="Comment moderation".to_owned() path="/editor/moderation".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <h1>"Moderation"</h1>
            <nav class="tabs" aria-label="Queues">
                <a href="/editor/moderation" aria-current=(!reported).then_some("page")>{format!("Waiting ({})", page.pending)}</a>
                <a href="/editor/moderation?tab=reported" aria-current=reported.then_some("page")>{format!("Reported ({})", page.reported)}</a>
            </nav>
            {done}
            {empty.then(|| view! { <p>"Nothing to moderate. Well done."</p> })}
            <ol class="queue">{items}</ol>
        </EditorShell>
    }
}
