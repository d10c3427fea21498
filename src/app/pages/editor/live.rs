//! `/editor/live`: the live-feed composer (editors). Keyboard first: the headline has focus,
//! Ctrl+Enter posts, and the next update can be typed at once.

use super::EditorShell;
use crate::{
    api::live::{DeleteUpdate, PinUpdate, PostUpdate, composer},
    app::{
        components::{
            cards::TimeTag,
            forms::{Field, RequiredNote, ServerForm, TextArea, flash_for},
            seo::PageMeta,
        },
        islands::editor::MarkdownEditor,
        pages::{load_page, query_param, route_param},
    },
    model::ComposerPage,
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/editor/live`
#[component]
pub fn Composer() -> impl IntoView {
    load_page(composer(None), |page| view! { <ComposerView page /> })
}

/// `/editor/live/{id}`
#[component]
pub fn EditUpdate() -> impl IntoView {
    let id: i64 = route_param("id").parse().unwrap_or(-1);
    load_page(composer(Some(id)), |page| view! { <ComposerView page /> })
}

const FORM: &str = "live-composer";

#[component]
fn ComposerView(page: ComposerPage) -> impl IntoView {
    let editing = page.editing.clone();
    let value = |name: &str, current: String| {
        flash_for(FORM)
            .filter(|f| !f.ok)
            .and_then(|f| f.value(name).map(str::to_owned))
            .unwrap_or(current)
    };
    let e = editing.as_ref();
    let headline = value(
        "headline",
        e.map(|i| i.headline.clone()).unwrap_or_default(),
    );
    let body = value("body", e.map(|i| i.body_md.clone()).unwrap_or_default());
    let article = value(
        "article",
        e.and_then(|i| i.article.as_ref())
            .map(|a| a.href.rsplit('/').next().unwrap_or_default().to_owned())
            .unwrap_or_default(),
    );
    let tags = value(
        "tags",
        e.map(|i| {
            i.tags
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default(),
    );
    let section = value(
        "section",
        e.and_then(|i| i.section.as_ref())
            .map(|s| s.slug.clone())
            .unwrap_or_default(),
    );
    let flag = |name: &str, current: bool| {
        flash_for(FORM)
            .filter(|f| !f.ok)
            .map(|f| f.value(name).is_some())
            .unwrap_or(current)
    };
    let (key, pinned, breaking) = (
        flag("key_event", e.is_some_and(|i| i.key_event)),
        flag("pinned", e.is_some_and(|i| i.pinned)),
        flag("breaking", e.is_some_and(|i| i.breaking)),
    );
    let id = e.map(|i| i.id).unwrap_or(0);
    let heading = if editing.is_some() {
        "Edit update"
    } else {
        "Live feed"
    };
    let notice = match (
        query_param("posted"),
        query_param("saved"),
        query_param("deleted"),
    ) {
        (Some(_), _, _) => Some("Posted. Readers' pages show it now."),
        (_, Some(_), _) => Some("Update saved."),
        (_, _, Some(_)) => Some("Deleted."),
        _ => None,
    };
    let section_options = page
        .sections
        .iter()
        .map(|s| view! { <option value=s.slug.clone() selected=s.slug == section>{s.title.clone()}</option> })
        .collect_view();
    let recent = page
        .recent
        .clone()
        .into_iter()
        .map(|i| {
            let edit = format!("/editor/live/{}", i.id);
            let pin_form = format!("live-pin-{}", i.id);
            let del_form = format!("live-delete-{}", i.id);
            let pin_label = if i.pinned { "Unpin" } else { "Pin" };
            let (pin_name, del_name, edit_name) = (
                format!("{pin_label}: {}", i.headline),
                format!("Delete: {}", i.headline),
                format!("Edit: {}", i.headline),
            );
            view! {
                <li class="composer-item">
                    <p class="feed-item__meta">
                        <TimeTag at=i.created_at />
                        {i.key_event.then(|| view! { <span class="flag flag--key">"Key event"</span> })}
                        {i.pinned.then(|| view! { <span class="flag flag--pinned">"Pinned"</span> })}
                        {i.breaking.then(|| view! { <span class="flag flag--breaking">"Breaking"</span> })}
                    </p>
                    <p class="composer-item__headline">{i.headline.clone()}</p>
                    <div class="composer-item__actions">
                        <a href=edit aria-label=edit_name>"Edit"</a>
                        <ServerForm id=pin_form action=PinUpdate::PATH label=pin_name>
                            <input type="hidden" name="id" value=i.id />
                            <input type="hidden" name="pinned" value=(!i.pinned).to_string() />
                            <button type="submit" class="button--small button--outline">{pin_label}</button>
                        </ServerForm>
                        <ServerForm id=del_form action=DeleteUpdate::PATH label=del_name>
                            <input type="hidden" name="id" value=i.id />
                            <button type="submit" class="button--small button--quiet">"Delete"</button>
                        </ServerForm>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <PageMeta title=heading.to_owned() description="Live feed composer".to_owned() path="/editor/live".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <div class="editor-head">
                <h1>{heading}</h1>
                <a href="/news-feed" target="_blank" rel="noopener">"Open the News Feed"</a>
            </div>
            {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <div class="composer">
                <ServerForm id=FORM.to_owned() action=PostUpdate::PATH label="Live update">
                    <input type="hidden" name="id" value=id />
                    <RequiredNote />
                    <Field form=FORM.to_owned() name="headline" label="Headline" required=true value=headline
                        maxlength=160u32 hint="Up to 160 characters. Ctrl+Enter posts." />
                    <MarkdownEditor>
                        <div class="field" data-preview-mode="feed">
                            <TextArea form=FORM.to_owned() name="body" label="Update" value=body rows=6
                                hint="Optional. **bold**, _italic_, [links](https://…) and lists." />
                            <div class="md-preview prose" data-md-preview aria-label="Preview" hidden></div>
                        </div>
                    </MarkdownEditor>
                    <div class="composer__grid">
                        <Field form=FORM.to_owned() name="article" label="Link an article (address)" value=article
                            hint="e.g. keeling-island-ferry-returns-to-full-timetable-after-six-week-engine-refit" />
                        <div class="field">
                            <label for="live-composer-section">"Section"</label>
                            <select id="live-composer-section" name="section">
                                <option value="">"None"</option>
                                {section_options}
                            </select>
                        </div>
                        <Field form=FORM.to_owned() name="tags" label="Tags" value=tags />
                    </div>
                    <div class="checks">
                        <label class="check"><input type="checkbox" name="key_event" value="on" checked=key />"Key event"</label>
                        <label class="check"><input type="checkbox" name="pinned" value="on" checked=pinned />"Pinned"</label>
                        <label class="check"><input type="checkbox" name="breaking" value="on" checked=breaking />"Breaking"</label>
                    </div>
                    <button type="submit" data-primary>{if editing.is_some() { "Save update" } else { "Post update" }}</button>
                    {editing.is_some().then(|| view! { " " <a href="/editor/live">"Cancel"</a> })}
                </ServerForm>
                <section aria-labelledby="recent-updates">
                    <h2 id="recent-updates">"Recent updates"</h2>
                    <ol class="composer-list">{recent}</ol>
                </section>
            </div>
        </EditorShell>
    }
}
