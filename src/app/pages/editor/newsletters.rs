//! `/editor/newsletters`: subscribers and issues; `/editor/newsletters/issues/...`: compose,
//! preview, send and follow an issue.

use super::EditorShell;
use crate::model::{IssueState, SubscriptionState};
use crate::{
    api::newsletters::{ManualUnsubscribe, SaveIssue, SendIssue, get_issue, get_newsletter_admin},
    app::{
        components::{
            cards::TimeTag,
            forms::{Field, RequiredNote, ServerForm, TextArea, flash_for},
            seo::PageMeta,
        },
        pages::{load_page, query_param, route_param},
    },
    model::{IssuePage, NewsletterAdminPage},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Meta;

/// `/editor/newsletters`
#[component]
pub fn NewsletterAdmin() -> impl IntoView {
    load_page(
        get_newsletter_admin(query_param("q")),
        |page| view! { <AdminView page /> },
    )
}

#[component]
fn AdminView(page: NewsletterAdminPage) -> impl IntoView {
    let stats = page
        .stats
        .iter()
        .map(|s| {
            let export = format!(
                "/editor/newsletters/export.csv?newsletter={}",
                s.newsletter.slug
            );
            view! {
                <tr>
                    <th scope="row">{s.newsletter.name.clone()}</th>
                    <td>{s.confirmed}</td>
                    <td>{s.pending}</td>
                    <td>{s.unsubscribed}</td>
                    <td><a href=export>{format!("Export {} (CSV)", s.newsletter.name)}</a></td>
                </tr>
            }
        })
        .collect_view();
    let subscribers = page
        .subscribers
        .clone()
        .into_iter()
        .map(|s| {
            let form = format!("unsubscribe-{}-{}", s.id, s.newsletter);
            let label = format!("Unsubscribe {} from {}", s.email, s.newsletter);
            let active = s.status != SubscriptionState::Unsubscribed;
            view! {
                <tr>
                    <td>{s.email.clone()}</td>
                    <td>{s.newsletter.clone()}</td>
                    <td>{s.status.as_str()}</td>
                    <td><TimeTag at=s.since date_only=true /></td>
                    <td>
                        {active.then(|| view! {
                            <ServerForm id=form action=ManualUnsubscribe::PATH label=label.clone()>
                                <input type="hidden" name="subscriber_id" value=s.id />
                                <input type="hidden" name="newsletter" value=s.newsletter.clone() />
                                <button type="submit" class="button--small button--outline">"Unsubscribe"</button>
                            </ServerForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let issues = page
        .issues
        .iter()
        .map(|i| {
            let href = format!("/editor/newsletters/issues/{}", i.id);
            view! {
                <tr>
                    <td><a href=href>{i.subject.clone()}</a></td>
                    <td>{i.newsletter.clone()}</td>
                    <td>{i.status.as_str()}</td>
                    <td>{format!("{} of {} sent, {} failed", i.sent, i.total, i.failed)}</td>
                    <td><TimeTag at=i.created_at /></td>
                </tr>
            }
        })
        .collect_view();
    let searched = !page.query.trim().is_empty();
    view! {
        <PageMeta title="Newsletters".to_owned() description="Newsletters".to_owned() path="/editor/newsletters".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <div class="editor-head">
                <h1>"Newsletters"</h1>
                <a class="button" href="/editor/newsletters/issues/new">"New issue"</a>
            </div>
            <table class="editor-table">
                <caption>"Subscribers"</caption>
                <thead><tr><th scope="col">"Newsletter"</th><th scope="col">"Confirmed"</th><th scope="col">"Waiting"</th><th scope="col">"Left"</th><th scope="col">"Export"</th></tr></thead>
                <tbody>{stats}</tbody>
            </table>
            <form class="filters" method="get" action="/editor/newsletters" role="search" aria-label="Find subscribers">
                <div class="field">
                    <label for="subscriber-q">"Email contains"</label>
                    <input id="subscriber-q" name="q" type="search" value=page.query.clone() />
                </div>
                <button type="submit">"Find"</button>
            </form>
            {searched.then(|| view! {
                <table class="editor-table">
                    <caption>"Matching subscriptions"</caption>
                    <thead><tr><th scope="col">"Email"</th><th scope="col">"Newsletter"</th><th scope="col">"Status"</th><th scope="col">"Since"</th><th scope="col">"Action"</th></tr></thead>
                    <tbody>{subscribers}</tbody>
                </table>
            })}
            <table class="editor-table">
                <caption>"Issues"</caption>
                <thead><tr><th scope="col">"Subject"</th><th scope="col">"Newsletter"</th><th scope="col">"Status"</th><th scope="col">"Progress"</th><th scope="col">"Created"</th></tr></thead>
                <tbody>{issues}</tbody>
            </table>
        </EditorShell>
    }
}

/// `/editor/newsletters/issues/new`
#[component]
pub fn NewIssue() -> impl IntoView {
    load_page(get_issue(0), |page| view! { <IssueView page /> })
}

/// `/editor/newsletters/issues/{id}`
#[component]
pub fn EditIssue() -> impl IntoView {
    let id: i64 = route_param("id").parse().unwrap_or(-1);
    load_page(get_issue(id), |page| view! { <IssueView page /> })
}

#[component]
fn IssueView(page: IssuePage) -> impl IntoView {
    let flash = flash_for("issue").filter(|f| !f.ok);
    let pick = |name: &str, current: String| {
        flash
            .as_ref()
            .and_then(|f| f.value(name).map(str::to_owned))
            .unwrap_or(current)
    };
    let newsletter = pick("newsletter", page.newsletter.clone());
    let subject = pick("subject", page.subject.clone());
    let intro = pick("intro", page.intro.clone());
    let articles_error = flash
        .as_ref()
        .and_then(|f| f.error_for("articles").map(str::to_owned));
    let status = page
        .issue
        .as_ref()
        .map(|i| i.status)
        .unwrap_or(IssueState::Draft);
    let draft = status == IssueState::Draft;
    let sending = status == IssueState::Sending;
    let id = page.issue.as_ref().map(|i| i.id).unwrap_or(0);
    let options = page
        .newsletters
        .iter()
        .map(|n| view! { <option value=n.slug.clone() selected=n.slug == newsletter>{n.name.clone()}</option> })
        .collect_view();
    let stories = page
        .candidates
        .iter()
        .map(|c| {
            let box_id = format!("story-{}", c.id);
            let label_for = box_id.clone();
            view! {
                <li>
                    <label class="check" for=label_for>
                        <input type="checkbox" id=box_id name=format!("a_{}", c.id) value="on" checked=page.chosen.contains(&c.id) />
                        {format!("{} — {}", c.title, c.section.title)}
                    </label>
                </li>
            }
        })
        .collect_view();
    let progress = page.issue.as_ref().map(|i| {
        view! {
            <p class="notice" role="status">
                {format!("Status: {}. {} of {} sent, {} failed.", i.status, i.sent, i.total, i.failed)}
            </p>
        }
    });
    view! {
        <PageMeta title="Newsletter issue".to_owned() description="Newsletter issue".to_owned() path="/editor/newsletters".to_owned() noindex=true />
        // While sending, the page refreshes itself: progress without JavaScript.
        {sending.then(|| view! { <Meta http_equiv="refresh" content="3" /> })}
        <EditorShell viewer=page.viewer.clone()>
            <p><a href="/editor/newsletters">"← Newsletters"</a></p>
            <h1>{if id > 0 { format!("Issue: {}", page.subject) } else { "New issue".to_owned() }}</h1>
            {query_param("saved").map(|_| view! { <p class="notice" role="status">"Saved. Check the preview, then send."</p> })}
            {progress}
            {draft.then(|| view! {
                <ServerForm id="issue".to_owned() action=SaveIssue::PATH label="Newsletter issue">
                    <input type="hidden" name="id" value=id />
                    <RequiredNote />
                    <div class="field">
                        <label for="issue-newsletter">"Newsletter"</label>
                        <select id="issue-newsletter" name="newsletter">{options}</select>
                    </div>
                    <Field form="issue".to_owned() name="subject" label="Subject line" required=true value=subject maxlength=150u32 />
                    <TextArea form="issue".to_owned() name="intro" label="Introduction" value=intro rows=5
                        hint="Markdown. A few sentences from the editor." />
                    <fieldset class="field" aria-describedby="issue-articles-error">
                        <legend>"Stories"</legend>
                        <ul class="story-picks">{stories}</ul>
                        <span class="field__error" id="issue-articles-error" data-error-for="articles">{articles_error}</span>
                    </fieldset>
                    <button type="submit">"Save and preview"</button>
                </ServerForm>
            })}
            {(!page.preview_html.is_empty()).then(|| view! {
                <section class="editor-panel" aria-labelledby="preview-h">
                    <h2 id="preview-h">"Preview"</h2>
                    <div class="email-preview" inner_html=page.preview_html.clone()></div>
                </section>
            })}
            {(draft && id > 0).then(|| view! {
                <ServerForm id="send-issue".to_owned() action=SendIssue::PATH label="Send issue">
                    <input type="hidden" name="id" value=id />
                    <button type="submit">{format!("Send to {} confirmed subscribers", page.recipients)}</button>
                </ServerForm>
            })}
        </EditorShell>
    }
}
