//! `/news-feed` (live, paginated with `?before=ID`, `?key=1` for key events) and
//! `/news-feed/{id}` (an update's permalink).

use crate::model::text as format;
use crate::{
    api::live::{get_feed_item, news_feed},
    app::{
        components::{
            cards::TimeTag,
            feed::LiveList,
            seo::{JsonLd, PageMeta},
        },
        pages::{load_page, query_param, route_param},
    },
    model::{FeedItem, FeedPage, SiteInfo},
};
use leptos::prelude::*;

/// `/news-feed`
#[component]
pub fn NewsFeedPage() -> impl IntoView {
    let before = query_param("before").map(|b| b.parse::<i64>().unwrap_or(-1));
    let key = query_param("key").is_some_and(|k| k == "1");
    load_page(
        news_feed(before.filter(|b| *b >= 0).or(before.map(|_| 0)), key),
        |page| {
            view! { <FeedView page /> }
        },
    )
}

/// schema.org `LiveBlogPosting` for the live page.
fn live_blog_ld(page: &FeedPage, site: &SiteInfo) -> serde_json::Value {
    let start = page.items.iter().map(|i| i.created_at).min();
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": format!("{}: News Feed", site.name),
        "url": site.absolute("/news-feed"),
        "coverageStartTime": start.map(format::iso),
        "publisher": { "@type": "NewsMediaOrganization", "name": site.name, "url": site.base_url },
        "liveBlogUpdate": page.items.iter().map(|i| serde_json::json!({
            "@type": "BlogPosting",
            "headline": i.headline,
            "url": site.absolute(&i.href()),
            "datePublished": format::iso(i.created_at),
            "dateModified": format::iso(i.updated_at),
            "author": { "@type": "Person", "name": i.author_name },
        })).collect::<Vec<_>>(),
    })
}

#[component]
fn FeedView(page: FeedPage) -> impl IntoView {
    let site = use_context::<SiteInfo>();
    let ld = site.as_ref().map(|s| live_blog_ld(&page, s));
    let key = page.key_events_only;
    let older = page.older.map(|id| {
        let href = if key {
            format!("/news-feed?key=1&before={id}")
        } else {
            format!("/news-feed?before={id}")
        };
        view! { <a rel="next" href=href>"Older updates →"</a> }
    });
    let latest_href = if key {
        "/news-feed?key=1"
    } else {
        "/news-feed"
    };
    let paged = page.paged;
    view! {
        <PageMeta
            title="News Feed".to_owned()
            description="Short updates from the newsroom, as they happen.".to_owned()
            path="/news-feed".to_owned()
            noindex=paged
        />
        {ld.map(|v| view! { <JsonLd value=v /> })}
        <div class="page news-feed">
            <h1>"News Feed"</h1>
            <p class="listing__intro">"Short updates from the newsroom, as they happen."</p>
            <nav class="tabs" aria-label="Filter updates">
                <a href="/news-feed" aria-current=(!key).then_some("page")>"All updates"</a>
                <a href="/news-feed?key=1" aria-current=key.then_some("page")>"Key events"</a>
            </nav>
            <h2 class="visually-hidden">{if key { "Key events" } else { "Latest updates" }}</h2>
            <LiveList page />
            <nav class="pagination" aria-label="More updates">
                <a href=latest_href>"Show latest"</a>
                {older}
            </nav>
        </div>
    }
}

/// `/news-feed/{id}`
#[component]
pub fn FeedItemPage() -> impl IntoView {
    let id: i64 = route_param("id").parse().unwrap_or(-1);
    load_page(get_feed_item(id), |item| view! { <ItemView item /> })
}

#[component]
fn ItemView(item: FeedItem) -> impl IntoView {
    let description = item.headline.clone();
    let tags = item
        .tags
        .iter()
        .map(|t| view! { <li><a href=t.href() rel="tag">{t.name.clone()}</a></li> })
        .collect_view();
    view! {
        <PageMeta title=item.headline.clone() description path=item.href() og_type="article" />
        <article class="page page--narrow feed-permalink" aria-labelledby="update-title">
            <p class="kicker"><a href="/news-feed">"News Feed"</a></p>
            <h1 id="update-title">{item.headline.clone()}</h1>
            <p class="story__meta">
                <span>{format!("Posted by {} · ", item.author_name)} <TimeTag at=item.created_at /></span>
                {item.edited.then(|| view! { <span class="story__updated">"Updated " <TimeTag at=item.updated_at /></span> })}
                {item.key_event.then(|| view! { <span class="flag flag--key">"Key event"</span> })}
            </p>
            <div class="prose" inner_html=item.body_html.clone()></div>
            {item.article.clone().map(|a| view! { <p><a href=a.href>{format!("Read the story: {}", a.title)}</a></p> })}
            {(!item.tags.is_empty()).then(|| view! { <ul class="tag-row" aria-label="Tags">{tags}</ul> })}
            <p><a href="/news-feed">"← All updates"</a></p>
        </article>
    }
}
