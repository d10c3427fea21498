//! The article page.

use crate::model::text as format;
use crate::{
    api::reader::get_article,
    app::{
        components::{
            cards::{ArticleCardView, Byline, CardStyle, HeroFigure, TimeTag},
            comments::Comments,
            newsletter::NewsletterSignup,
            rails::{MoreNews, SideRails},
            seo::{JsonLd, PageMeta},
        },
        http::redirect_permanent,
        pages::{load_page, query_param, route_param},
    },
    model::{Article, ArticleLookup, ArticlePage as Page, BodyPart, SiteInfo},
};
use leptos::prelude::*;
use leptos_meta::Meta;

/// `/{section}/{slug}`
#[component]
pub fn ArticlePage() -> impl IntoView {
    load_page(
        get_article(
            route_param("section"),
            route_param("slug"),
            query_param("comments"),
            query_param("cpage").and_then(|p| p.parse().ok()),
            query_param("thread").and_then(|p| p.parse().ok()),
        ),
        |lookup| match lookup {
            ArticleLookup::Found(page) => view! { <ArticleView page=*page /> }.into_any(),
            ArticleLookup::Moved(to) => {
                redirect_permanent(&to);
                view! { <p>"This story has moved: " <a href=to.clone()>{to.clone()}</a></p> }
                    .into_any()
            }
        },
    )
}

/// schema.org `NewsArticle` for search engines.
fn news_article_ld(a: &Article, site: &SiteInfo) -> serde_json::Value {
    let url = site.absolute(&a.href());
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "headline": a.title,
        "description": a.dek,
        "image": a.hero.as_ref().map(|h| vec![site.absolute(&h.image.largest_src())]).unwrap_or_default(),
        "datePublished": a.published_at.map(format::iso),
        "dateModified": format::iso(a.revised_at.or(a.published_at).unwrap_or(a.updated_at)),
        "articleSection": a.section.title,
        "keywords": a.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "wordCount": a.word_count,
        "author": a.authors.iter().map(|au| serde_json::json!({
            "@type": "Person",
            "name": au.name,
            "url": site.absolute(&au.as_ref().href()),
        })).collect::<Vec<_>>(),
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": site.name,
            "url": site.base_url,
            "logo": { "@type": "ImageObject", "url": site.absolute("/static/logo.png") },
        },
    })
}

#[component]
fn ArticleView(page: Page) -> impl IntoView {
    let site = use_context::<SiteInfo>();
    let a = page.article;
    let ld = site.as_ref().map(|s| news_article_ld(&a, s));
    let tags = a
        .tags
        .iter()
        .map(|t| view! { <li><a href=t.href() rel="tag">{t.name.clone()}</a></li> })
        .collect_view();
    let body = page
        .body
        .into_iter()
        .map(|part| match part {
            BodyPart::Html(html) => view! { <div class="prose" inner_html=html></div> }.into_any(),
            BodyPart::Related(card) => view! {
                <aside class="related" aria-label="Related story">
                    <p class="related__label">"Read more"</p>
                    <ArticleCardView card=*card style=CardStyle::Standard level=2 />
                </aside>
            }
            .into_any(),
        })
        .collect_view();
    let authors = a
        .authors
        .iter()
        .map(|au| {
            let photo = au.photo.clone().map(|p| {
                view! {
                    <img class="author-box__photo" src=p.src_for(p.widths.first().copied().unwrap_or(p.width))
                        width="96" height="96" alt="" loading="lazy" decoding="async" />
                }
            });
            view! {
                <div class="author-box">
                    {photo}
                    <div>
                        <p class="author-box__name">
                            <a href=au.as_ref().href() rel="author">{au.name.clone()}</a>
                        </p>
                        <p class="author-box__role">{au.role_title.clone()}</p>
                        <p class="author-box__bio">{au.bio.clone()}</p>
                    </div>
                </div>
            }
        })
        .collect_view();
    let updated = a
        .revised_at
        .filter(|r| a.published_at.is_none_or(|p| *r > p))
        .map(|r| view! { <span class="story__updated">"Updated " <TimeTag at=r /></span> });
    let edit = page.can_edit.then(|| {
        view! { <a class="button button--small edit-link" href=format!("/editor/articles/{}", a.id)>"Edit post"</a> }
    });
    let preview_note = page.preview.then(|| {
        view! {
            <p class="preview-banner" role="status">
                {format!("Preview: this article is {} and not visible to readers.", a.status.as_str())}
            </p>
        }
    });
    let hero = a.hero.clone().map(
        |h| view! { <HeroFigure hero=h sizes="(min-width: 1100px) 760px, 100vw" eager=true /> },
    );
    let section = a.section.clone();
    // Behind a CDN the page is not rendered per reader: the browser reports the view.
    let beacon = (site.as_ref().is_some_and(|s| s.view_beacon) && !page.preview && !page.can_edit)
        .then(|| {
            view! {
                <img class="view-beacon" src=format!("/v/{}", a.id) alt="" width="1" height="1"
                    decoding="async" fetchpriority="low" />
            }
        });
    view! {
        <PageMeta
            title=a.title.clone()
            description=a.dek.clone()
            path=a.href()
            og_type="article"
            image=a.hero.as_ref().map(|h| h.image.largest_src())
            image_alt=a.hero.as_ref().map(|h| h.alt.clone())
            noindex=page.preview
        />
        {a.published_at.map(|t| view! { <Meta property="article:published_time" content=format::iso(t) /> })}
        <Meta property="article:modified_time" content=format::iso(a.revised_at.or(a.published_at).unwrap_or(a.updated_at)) />
        <Meta property="article:section" content=section.title.clone() />
        {ld.map(|v| view! { <JsonLd value=v /> })}
        {preview_note}
        <div class="article-layout">
            <article class="story" aria-labelledby="story-title">
                <header class="story__header">
                    <p class="kicker"><a href=section.href()>{section.title.clone()}</a></p>
                    <h1 id="story-title" class="story__title">{a.title.clone()}</h1>
                    {(!a.dek.is_empty()).then(|| view! { <p class="story__dek">{a.dek.clone()}</p> })}
                    <div class="story__meta">
                        <Byline authors=a.authors.iter().map(|x| x.as_ref()).collect() />
                        {a.published_at.map(|t| view! { <span class="story__published"><TimeTag at=t /></span> })}
                        {updated}
                        <span class="story__readtime">{format::read_time(a.read_minutes())}</span>
                        {edit}
                    </div>
                    <ul class="tag-row" aria-label="Tags">{tags}</ul>
                </header>
                {hero}
                <div class="story__body">{body}</div>
                <NewsletterSignup form="signup-article" />
                <footer class="story__footer">
                    <h2 class="visually-hidden">"About the authors"</h2>
                    {authors}
                </footer>
                {beacon}
            </article>
            {page.comments.map(|section| view! { <Comments section /> })}
            <SideRails rails=page.rails.clone() />
        </div>
        <MoreNews cards=page.rails.more_news />
    }
}
