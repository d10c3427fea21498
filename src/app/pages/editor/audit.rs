//! `/editor/audit`: who published, unpublished, deleted and changed roles, and when.

use super::EditorShell;
use crate::{
    api::editor::audit_log,
    app::{
        components::{cards::TimeTag, pagination::Pagination, seo::PageMeta},
        pages::{load_page, page_param},
    },
    model::AuditPage,
};
use leptos::prelude::*;

/// `/editor/audit`
#[component]
pub fn AuditLog() -> impl IntoView {
    load_page(audit_log(page_param()), |page| view! { <Log page /> })
}

#[component]
fn Log(page: AuditPage) -> impl IntoView {
    let rows = page
        .entries
        .iter()
        .map(|e| {
            let target = match (e.target_type.as_str(), e.target_id) {
                ("article", Some(id)) => {
                    view! { <a href=format!("/editor/articles/{id}")>{e.detail.clone()}</a> }
                        .into_any()
                }
                _ => view! { <span>{e.detail.clone()}</span> }.into_any(),
            };
            view! {
                <tr>
                    <td><TimeTag at=e.created_at /></td>
                    <td>{e.actor_name.clone()}</td>
                    <td>{e.action.label()}</td>
                    <td>{e.target_type.as_str().replace('_', " ")}</td>
                    <td>{target}</td>
                </tr>
            }
        })
        .collect_view();
    let last = (page.total.div_ceil(50) as u32).max(1);
    view! {
        <PageMeta title="Audit log".to_owned() description="Audit log".to_owned() path="/editor/audit".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <h1>"Audit log"</h1>
            <table class="editor-table">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"On"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <Pagination base="/editor/audit".to_owned() page=page.page last />
        </EditorShell>
    }
}
