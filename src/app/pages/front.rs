//! The front page.

use crate::{
    api::reader::get_front_page,
    app::{
        components::{
            cards::{ArticleCardView, CardStyle},
            feed::FeedColumn,
            newsletter::NewsletterSignup,
            rails::{EditorsPicks, MostPopular},
            seo::PageMeta,
        },
        pages::load_page,
    },
    model::{FrontPage as Front, SiteInfo},
};
use leptos::prelude::*;

/// `/`
#[component]
pub fn FrontPage() -> impl IntoView {
    load_page(get_front_page(), |front| view! { <FrontView front /> })
}

#[component]
fn FrontView(front: Front) -> impl IntoView {
    let site = use_context::<SiteInfo>();
    let (name, tagline) = site.map(|s| (s.name, s.tagline)).unwrap_or_default();
    let lead = front
        .lead
        .map(|c| view! { <ArticleCardView card=c style=CardStyle::Lead level=2 eager=true /> });
    let featured = front
        .featured
        .into_iter()
        .map(|c| view! { <ArticleCardView card=c style=CardStyle::Feature level=3 /> })
        .collect_view();
    let latest = front
        .latest
        .into_iter()
        .map(|c| view! { <ArticleCardView card=c style=CardStyle::Compact level=3 /> })
        .collect_view();
    let sections = front
        .sections
        .into_iter()
        .map(|block| {
            let id = format!("front-{}", block.section.slug);
            let href = format!("/{}", block.section.slug);
            view! {
                <section class="section-block" aria-labelledby=id.clone()>
                    <h2 class="section-title" id=id.clone()>
                        <a href=href>{block.section.title}</a>
                    </h2>
                    <div class="grid grid--4">
                        {block
                            .cards
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <ArticleCardView card=c style=CardStyle::Feature level=3 hide_section=true />
                                }
                            })
                            .collect_view()}
                    </div>
                </section>
            }
        })
        .collect_view();
    view! {
        <PageMeta title=name.clone() description=tagline path="/".into() />
        <h1 class="visually-hidden">{format!("{name}: latest news")}</h1>
        <div class="front">
            <div class="front__top">
                <section class="front__lead" aria-label="Top stories">
                    {lead}
                    <div class="grid grid--2">{featured}</div>
                </section>
                <aside class="front__side" aria-label="Latest and most read">
                    <section class="rail" aria-labelledby="latest">
                        <h2 id="latest" class="rail__title">"Latest"</h2>
                        <div class="card-list">{latest}</div>
                    </section>
                    <FeedColumn page=front.feed />
                    <MostPopular cards=front.most_popular />
                </aside>
            </div>
            <EditorsPicksBand cards=front.editors_picks />
            <div class="band band--signup">
                <NewsletterSignup form="signup-front" />
            </div>
            {sections}
        </div>
    }
}

#[component]
fn EditorsPicksBand(cards: Vec<crate::model::ArticleCard>) -> impl IntoView {
    view! {
        <div class="band">
            <EditorsPicks cards />
        </div>
    }
}
