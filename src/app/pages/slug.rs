//! `/{slug}`: a section front or a static page.

use crate::{
    api::reader::get_slug_page,
    app::{
        components::seo::PageMeta,
        pages::{listing::ListingView, load_page, page_param, route_param},
    },
    model::{Page, SlugPage as Resolved},
};
use leptos::prelude::*;

/// `/{slug}`
#[component]
pub fn SlugPage() -> impl IntoView {
    load_page(
        get_slug_page(route_param("slug"), page_param()),
        |resolved| match resolved {
            Resolved::Section(listing) => view! { <ListingView listing=*listing /> }.into_any(),
            Resolved::Static(page) => view! { <StaticPage page /> }.into_any(),
        },
    )
}

#[component]
fn StaticPage(page: Page) -> impl IntoView {
    let description = format!("{} — information from the newsroom.", page.title);
    view! {
        <PageMeta title=page.title.clone() description path=format!("/{}", page.slug) />
        <article class="page page--narrow" aria-labelledby="page-title">
            <h1 id="page-title">{page.title.clone()}</h1>
            <div class="prose" inner_html=page.body_html></div>
        </article>
    }
}
