//! "Most popular", "Editors' Picks" and "More news".

use crate::{
    app::components::{
        cards::{ArticleCardView, CardStyle},
        feed::FeedColumn,
    },
    model::{ArticleCard, Rails},
};
use leptos::prelude::*;

/// A numbered list of the most-read stories.
#[component]
pub fn MostPopular(cards: Vec<ArticleCard>) -> impl IntoView {
    (!cards.is_empty()).then(|| {
        view! {
            <section class="rail rail--popular" aria-labelledby="most-popular">
                <h2 id="most-popular" class="rail__title">"Most popular"</h2>
                <ol class="popular-list">
                    {cards
                        .into_iter()
                        .map(|c| {
                            let href = c.href();
                            view! {
                                <li>
                                    <a href=href>{c.title}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        }
    })
}

/// Stories the editors recommend.
#[component]
pub fn EditorsPicks(cards: Vec<ArticleCard>) -> impl IntoView {
    (!cards.is_empty()).then(|| {
        view! {
            <section class="rail rail--picks" aria-labelledby="editors-picks">
                <h2 id="editors-picks" class="rail__title">"Editors' Picks"</h2>
                <div class="card-list">
                    {cards
                        .into_iter()
                        .map(|c| view! { <ArticleCardView card=c style=CardStyle::Standard level=3 /> })
                        .collect_view()}
                </div>
            </section>
        }
    })
}

/// The latest stories, under an article.
#[component]
pub fn MoreNews(cards: Vec<ArticleCard>) -> impl IntoView {
    (!cards.is_empty()).then(|| {
        view! {
            <section class="more-news" aria-labelledby="more-news">
                <h2 id="more-news" class="section-title">"More news"</h2>
                <div class="grid grid--3">
                    {cards
                        .into_iter()
                        .map(|c| view! { <ArticleCardView card=c style=CardStyle::Feature level=3 /> })
                        .collect_view()}
                </div>
            </section>
        }
    })
}

/// The side column of listing and article pages.
#[component]
pub fn SideRails(rails: Rails) -> impl IntoView {
    view! {
        <aside class="rails" aria-label="More stories">
            {rails.feed.map(|page| view! { <FeedColumn page /> })}
            <MostPopular cards=rails.most_popular />
            <EditorsPicks cards=rails.editors_picks />
        </aside>
    }
}
