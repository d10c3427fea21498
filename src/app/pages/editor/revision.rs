//! `/editor/articles/{id}/revisions/{rid}`: a revision against the current article.

use super::{EditorShell, StatusBadge};
use crate::{
    api::editor::{RestoreRevision, revision},
    app::{
        components::{cards::TimeTag, forms::ServerForm, seo::PageMeta},
        pages::{load_page, route_param},
    },
    model::{DiffLine, RevisionPage},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/editor/articles/{id}/revisions/{rid}`
#[component]
pub fn RevisionView() -> impl IntoView {
    let id: i64 = route_param("id").parse().unwrap_or(-1);
    let rid: i64 = route_param("rid").parse().unwrap_or(-1);
    load_page(revision(id, rid), |page| view! { <Diff page /> })
}

#[component]
fn Diff(page: RevisionPage) -> impl IntoView {
    let back = format!("/editor/articles/{}", page.article_id);
    let title = format!(
        "Version {} of “{}”",
        page.revision.version, page.article_title
    );
    let changes = page
        .changes
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.field.clone()}</th>
                    <td><del>{c.revision.clone()}</del></td>
                    <td><ins>{c.current.clone()}</ins></td>
                </tr>
            }
        })
        .collect_view();
    let lines = page
        .body_diff
        .iter()
        .map(|l| match l {
            DiffLine::Same(t) => view! { <li class="diff__same"><span class="visually-hidden">"unchanged: "</span>{t.clone()}</li> }.into_any(),
            DiffLine::Added(t) => view! { <li class="diff__added"><span class="visually-hidden">"now: "</span><ins>{t.clone()}</ins></li> }.into_any(),
            DiffLine::Removed(t) => view! { <li class="diff__removed"><span class="visually-hidden">"in this version: "</span><del>{t.clone()}</del></li> }.into_any(),
            DiffLine::Skipped(n) => view! { <li class="diff__skip">{format!("… {n} unchanged lines …")}</li> }.into_any(),
        })
        .collect_view();
    let same = page.changes.is_empty() && page.body_diff.is_empty();
    view! {
        <PageMeta title=title.clone() description="Revision".to_owned() path=back.clone() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <p><a href=back.clone()>"← Back to the editor"</a></p>
            <h1>{title}</h1>
            <p>
                "Saved by " {page.revision.editor_name.clone()} " on " <TimeTag at=page.revision.created_at />
                " as " <StatusBadge status=page.revision.status />
                {format!(". The article is now at version {}.", page.current_version)}
            </p>
            {same.then(|| view! { <p class="notice">"This version is the same as the current article."</p> })}
            {(!page.changes.is_empty()).then(|| view! {
                <table class="editor-table">
                    <caption>"Fields that differ"</caption>
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"This version"</th><th scope="col">"Now"</th></tr></thead>
                    <tbody>{changes}</tbody>
                </table>
            })}
            {(!page.body_diff.is_empty()).then(|| view! {
                <h2>"Story text"</h2>
                <ol class="diff" aria-label="Differences in the story text">{lines}</ol>
            })}
            <ServerForm id="restore-revision".to_owned() action=RestoreRevision::PATH label="Restore this version">
                <input type="hidden" name="article_id" value=page.article_id />
                <input type="hidden" name="revision_id" value=page.revision.id />
                <input type="hidden" name="version" value=page.current_version />
                <button type="submit">{format!("Restore version {}", page.revision.version)}</button>
            </ServerForm>
        </EditorShell>
    }
}
