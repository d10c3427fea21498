//! Section, tag and author pages: a heading, a paginated list of stories, side rails.

use crate::{
    api::reader::{get_author_page, get_tag_page},
    app::{
        components::{
            cards::{ArticleCardView, CardStyle},
            pagination::Pagination,
            rails::SideRails,
            seo::PageMeta,
        },
        pages::{load_page, page_param, route_param},
    },
    model::{ListingPage, ListingSubject},
};
use leptos::prelude::*;
use leptos_meta::Link;

/// `/tag/{slug}`
#[component]
pub fn TagPage() -> impl IntoView {
    load_page(
        get_tag_page(route_param("slug"), page_param()),
        |listing| view! { <ListingView listing /> },
    )
}

/// `/author/{slug}`
#[component]
pub fn AuthorPage() -> impl IntoView {
    load_page(
        get_author_page(route_param("slug"), page_param()),
        |listing| view! { <ListingView listing /> },
    )
}

/// Any listing page.
#[component]
pub fn ListingView(listing: ListingPage) -> impl IntoView {
    let (title, description, base, intro) = match &listing.subject {
        ListingSubject::Section(s) => (
            s.title.clone(),
            s.description.clone(),
            format!("/{}", s.slug),
            view! { <p class="listing__intro">{s.description.clone()}</p> }.into_any(),
        ),
        ListingSubject::Tag(t) => (
            t.name.clone(),
            format!("Stories tagged {}", t.name),
            t.href(),
            view! { <p class="listing__kicker">"Tag"</p> }.into_any(),
        ),
        ListingSubject::Author(a) => {
            let photo = a.photo.clone().map(|p| {
                view! { <img class="author-box__photo" src=p.src_for(p.widths.first().copied().unwrap_or(p.width)) width="96" height="96" alt="" /> }
            });
            (
                a.name.clone(),
                format!("{}: {}", a.role_title, a.bio),
                a.as_ref().href(),
                view! {
                    <div class="author-box author-box--page">
                        {photo}
                        <div>
                            <p class="author-box__role">{a.role_title.clone()}</p>
                            <p class="author-box__bio">{a.bio.clone()}</p>
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
    };
    let page = listing.cards.page;
    let last = listing.cards.last_page();
    let path = if page > 1 {
        format!("{base}?page={page}")
    } else {
        base.clone()
    };
    let heading = if page > 1 {
        format!("{title} (page {page})")
    } else {
        title.clone()
    };
    let hide_section = matches!(listing.subject, ListingSubject::Section(_));
    let empty = listing.cards.items.is_empty();
    let cards = listing
        .cards
        .items
        .into_iter()
        .map(
            |c| view! { <ArticleCardView card=c style=CardStyle::Standard level=2 hide_section /> },
        )
        .collect_view();
    let feed = format!("{base}/feed.xml");
    view! {
        <PageMeta title=heading.clone() description path />
        <Link rel="alternate" type_="application/rss+xml" title=format!("{title} (RSS)") href=feed />
        <div class="listing-layout">
            <div class="listing">
                <header class="listing__header">
                    <h1>{heading}</h1>
                    {intro}
                </header>
                {empty.then(|| view! { <p>"No stories here yet."</p> })}
                <div class="card-list card-list--wide">{cards}</div>
                <Pagination base page last />
            </div>
            <SideRails rails=listing.rails />
        </div>
    }
}
