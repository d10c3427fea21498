//! `/editor`: every article, filtered by status, section, author and text.

use super::{EditorShell, StatusBadge};
use crate::model::text::url_encode;
use crate::{
    api::editor::article_list,
    app::{
        components::{cards::TimeTag, pagination::Pagination, seo::PageMeta},
        pages::{load_page, page_param, query_param as q},
    },
    model::{ArticleListPage, ArticleStatus},
};
use leptos::prelude::*;

/// `/editor`
#[component]
pub fn ArticleList() -> impl IntoView {
    load_page(
        article_list(q("status"), q("section"), q("author"), q("q"), page_param()),
        |page| view! { <ListView page /> },
    )
}

#[component]
fn ListView(page: ArticleListPage) -> impl IntoView {
    let f = page.filter.clone();
    let status_options = [
        ("", "Any status"),
        ("draft", "Drafts"),
        ("scheduled", "Scheduled"),
        ("published", "Published"),
    ]
    .into_iter()
    .map(|(v, l)| {
        let selected = f.status.map(ArticleStatus::as_str).unwrap_or("") == v;
        view! { <option value=v selected=selected>{l}</option> }
    })
    .collect_view();
    let section_options = page
        .sections
        .iter()
        .map(|s| {
            let selected = f.section.as_deref() == Some(s.slug.as_str());
            view! { <option value=s.slug.clone() selected=selected>{s.title.clone()}</option> }
        })
        .collect_view();
    let author_options = page
        .authors
        .iter()
        .map(|a| {
            let selected = f.author.as_deref() == Some(a.slug.as_str());
            view! { <option value=a.slug.clone() selected=selected>{a.name.clone()}</option> }
        })
        .collect_view();
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let href = format!("/editor/articles/{}", r.id);
            view! {
                <tr>
                    <td><a href=href>{r.title.clone()}</a></td>
                    <td><StatusBadge status=r.status /></td>
                    <td>{r.section_title.clone()}</td>
                    <td>{r.authors.clone()}</td>
                    <td><TimeTag at=r.updated_at /></td>
                </tr>
            }
        })
        .collect_view();
    let mut base = String::from("/editor?");
    for (k, v) in [
        ("status", f.status.map(|s| s.as_str().to_owned())),
        ("section", f.section.clone()),
        ("author", f.author.clone()),
        ("q", Some(f.q.clone()).filter(|q| !q.is_empty())),
    ] {
        if let Some(v) = v {
            base.push_str(&format!("{k}={}&", url_encode(&v)));
        }
    }
    let base = base.trim_end_matches(['&', '?']).to_owned();
    let last = (page
        .total
        .div_ceil(crate::app::pages::editor::list::PER_PAGE as u64) as u32)
        .max(1);
    view! {
        <PageMeta title="Articles".to_owned() description="Newsroom articles".to_owned() path="/editor".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <div class="editor-head">
                <h1>"Articles"</h1>
                <a class="button" href="/editor/articles/new">"New article"</a>
            </div>
            <form class="filters" method="get" action="/editor" role="search" aria-label="Filter articles">
                <div class="field">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" name="status">{status_options}</select>
                </div>
                <div class="field">
                    <label for="filter-section">"Section"</label>
                    <select id="filter-section" name="section">
                        <option value="">"Any section"</option>
                        {section_options}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-author">"Author"</label>
                    <select id="filter-author" name="author">
                        <option value="">"Any author"</option>
                        {author_options}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-q">"Headline contains"</label>
                    <input id="filter-q" name="q" type="search" value=f.q.clone() />
                </div>
                <button type="submit">"Filter"</button>
            </form>
            <p role="status">{format!("{} article{}", page.total, if page.total == 1 { "" } else { "s" })}</p>
            <table class="editor-table">
                <thead>
                    <tr>
                        <th scope="col">"Headline"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Section"</th>
                        <th scope="col">"Authors"</th>
                        <th scope="col">"Updated"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <Pagination base page=page.page last />
        </EditorShell>
    }
}

/// Rows per page (mirrors the server's `EDITOR_PER_PAGE`).
pub const PER_PAGE: u32 = 25;
