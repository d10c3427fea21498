//! Article cards, bylines, times and figures.

use crate::{
    model::text as format,
    model::{ArticleCard, AuthorRef, Hero, SiteInfo},
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// How prominent a card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStyle {
    /// The front page's lead story.
    Lead,
    /// A featured story with a picture.
    Feature,
    /// A headline with a small picture.
    Standard,
    /// A headline only.
    Compact,
}

impl CardStyle {
    fn class(self) -> &'static str {
        match self {
            CardStyle::Lead => "card card--lead",
            CardStyle::Feature => "card card--feature",
            CardStyle::Standard => "card card--standard",
            CardStyle::Compact => "card card--compact",
        }
    }

    fn sizes(self) -> &'static str {
        match self {
            CardStyle::Lead => "(min-width: 1100px) 700px, 100vw",
            CardStyle::Feature => "(min-width: 1100px) 340px, (min-width: 700px) 45vw, 100vw",
            CardStyle::Standard | CardStyle::Compact => "(min-width: 700px) 220px, 40vw",
        }
    }
}

/// The site's time zone (UTC when rendering outside a request).
pub fn site_tz() -> chrono_tz::Tz {
    use_context::<SiteInfo>()
        .map(|s| s.time_zone)
        .unwrap_or(chrono_tz::UTC)
}

/// A `<time>` element: machine-readable UTC, human-readable in the site's zone.
#[component]
pub fn TimeTag(at: DateTime<Utc>, #[prop(optional)] date_only: bool) -> impl IntoView {
    let tz = site_tz();
    let text = if date_only {
        format::date(at, tz)
    } else {
        format::date_time(at, tz)
    };
    view! { <time datetime=format::iso(at)>{text}</time> }
}

/// "By A, B and C", each name linking to the author's page.
#[component]
pub fn Byline(authors: Vec<AuthorRef>) -> impl IntoView {
    let n = authors.len();
    let names = authors
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let sep = match (i, n) {
                (0, _) => "",
                (i, n) if i == n - 1 => " and ",
                _ => ", ",
            };
            let href = a.href();
            view! {
                {sep}
                <a href=href rel="author">
                    {a.name}
                </a>
            }
        })
        .collect_view();
    (n > 0).then(|| view! { <span class="byline">"By " {names}</span> })
}

/// A responsive picture with its caption and credit.
#[component]
pub fn HeroFigure(hero: Hero, sizes: &'static str, #[prop(optional)] eager: bool) -> impl IntoView {
    let img = hero.image.clone();
    view! {
        <figure class="hero">
            <img
                src=img.src()
                srcset=img.srcset()
                sizes=sizes
                width=img.width
                height=img.height
                alt=hero.alt
                loading=if eager { "eager" } else { "lazy" }
                fetchpriority=eager.then_some("high")
                decoding="async"
            />
            <figcaption>
                {hero.caption} " " <span class="credit">{hero.credit}</span>
            </figcaption>
        </figure>
    }
}

/// A story teaser.
#[component]
pub fn ArticleCardView(
    card: ArticleCard,
    #[prop(default = CardStyle::Standard)] style: CardStyle,
    #[prop(default = 3)] level: u8,
    #[prop(optional)] eager: bool,
    #[prop(optional)] hide_section: bool,
) -> impl IntoView {
    let href = card.href();
    let picture = (style != CardStyle::Compact)
        .then_some(card.hero.clone())
        .flatten()
        .map(|h| {
            let img = h.image;
            view! {
                <a class="card__media" href=href.clone() tabindex="-1" aria-hidden="true">
                    <img
                        src=img.src()
                        srcset=img.srcset()
                        sizes=style.sizes()
                        width=img.width
                        height=img.height
                        alt=""
                        loading=if eager { "eager" } else { "lazy" }
                        fetchpriority=eager.then_some("high")
                        decoding="async"
                    />
                </a>
            }
        });
    let link = view! { <a href=href.clone()>{card.title.clone()}</a> };
    let heading = match level {
        2 => view! { <h2 class="card__title">{link}</h2> }.into_any(),
        3 => view! { <h3 class="card__title">{link}</h3> }.into_any(),
        _ => view! { <h4 class="card__title">{link}</h4> }.into_any(),
    };
    let dek = (style != CardStyle::Compact && !card.dek.is_empty())
        .then(|| view! { <p class="card__dek">{card.dek.clone()}</p> });
    let kicker = (!hide_section).then(|| {
        view! {
            <p class="kicker">
                <a href=card.section.href()>{card.section.title.clone()}</a>
            </p>
        }
    });
    let comments = (card.comment_count > 0).then(|| {
        let n = card.comment_count;
        view! {
            <a class="card__comments" href=format!("{href}#comments")>
                {format!("{n} comment{}", if n == 1 { "" } else { "s" })}
            </a>
        }
    });
    view! {
        <article class=style.class()>
            {picture}
            <div class="card__body">
                {kicker}
                {heading}
                {dek}
                <p class="card__meta">
                    <Byline authors=card.authors.clone() />
                    {card.published_at.map(|t| view! { " " <TimeTag at=t date_only=true /> })}
                    {comments}
                </p>
            </div>
        </article>
    }
}

/// A list of compact cards.
#[component]
pub fn CardList(
    cards: Vec<ArticleCard>,
    #[prop(default = CardStyle::Standard)] style: CardStyle,
    #[prop(default = 3)] level: u8,
) -> impl IntoView {
    view! {
        <div class="card-list">
            {cards
                .into_iter()
                .map(|c| view! { <ArticleCardView card=c style level /> })
                .collect_view()}
        </div>
    }
}
