//! `/search?q=`: ranked full-text results with highlighted matches; works without JavaScript.

use crate::{
    api::reader::search,
    app::{
        components::{
            cards::{Byline, TimeTag},
            pagination::Pagination,
            seo::PageMeta,
        },
        pages::{load_page, page_param},
    },
    model::SearchPage as Results,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/search`
#[component]
pub fn SearchPage() -> impl IntoView {
    let q = use_query_map().get_untracked().get("q").unwrap_or_default();
    load_page(
        search(q, page_param()),
        |results| view! { <SearchView results /> },
    )
}

#[component]
fn SearchView(results: Results) -> impl IntoView {
    let q = results.query.clone();
    let total = results.results.total;
    let page = results.results.page;
    let last = results.results.last_page();
    let summary = if q.is_empty() {
        "Type a few words to search every story.".to_owned()
    } else if total == 0 {
        format!("No stories match “{q}”.")
    } else {
        format!(
            "{total} result{} for “{q}”",
            if total == 1 { "" } else { "s" }
        )
    };
    let items = results
        .results
        .items
        .into_iter()
        .map(|r| {
            let href = r.card.href();
            view! {
                <li class="search-result">
                    <p class="kicker"><a href=r.card.section.href()>{r.card.section.title.clone()}</a></p>
                    <h2 class="search-result__title"><a href=href inner_html=r.title_html></a></h2>
                    <p class="search-result__snippet" inner_html=r.snippet_html></p>
                    <p class="card__meta">
                        <Byline authors=r.card.authors.clone() />
                        {r.card.published_at.map(|t| view! { " " <TimeTag at=t date_only=true /> })}
                    </p>
                </li>
            }
        })
        .collect_view();
    let base = format!("/search?q={}", crate::model::text::url_encode(&q));
    view! {
        <PageMeta title=if q.is_empty() { "Search".to_owned() } else { format!("Search: {q}") }
            description="Search every story published by the newsroom.".to_owned()
            path="/search".to_owned() noindex=true />
        <div class="page search-page">
            <h1>"Search"</h1>
            <form class="search-box search-box--large" role="search" action="/search" method="get">
                <label for="search-q">"Search stories"</label>
                <input id="search-q" name="q" type="search" value=q.clone() maxlength="200" />
                <button type="submit">"Search"</button>
            </form>
            <p class="search-page__summary" role="status">{summary}</p>
            <ol class="search-results">{items}</ol>
            <Pagination base page last />
        </div>
    }
}
