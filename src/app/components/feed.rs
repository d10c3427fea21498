//! News Feed items: one markup for the server render and for live pushes.

use crate::{
    app::{components::cards::site_tz, islands::live::LiveFeed},
    model::text as format,
    model::{FeedItem, FeedPage},
};
use leptos::prelude::*;

/// When an update was posted, in the site's time zone and the site's one format: the time alone
/// for today, with the date before that ("4 December 2026, 07:45"). The server renders this for
/// pages and for live pushes alike; browsers do not reformat it.
fn posted_at(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    if at.with_timezone(&tz).date_naive() == today {
        format::time(at, tz)
    } else {
        format::date_time(at, tz)
    }
}

/// One update.
#[component]
pub fn FeedItemView(item: FeedItem) -> impl IntoView {
    let tz = site_tz();
    let id = format!("update-{}", item.id);
    let heading_id = format!("{id}-h");
    let labelled_by = heading_id.clone();
    let updated = item.edited.then(|| {
        view! {
            <span class="feed-item__updated">
                "Updated " <time datetime=format::iso(item.updated_at)>{posted_at(item.updated_at, tz)}</time>
            </span>
        }
    });
    let flags = view! {
        {item.breaking.then(|| view! { <span class="flag flag--breaking">"Breaking"</span> })}
        {item.key_event.then(|| view! { <span class="flag flag--key">"Key event"</span> })}
        {item.pinned.then(|| view! { <span class="flag flag--pinned">"Pinned"</span> })}
    };
    let article = item.article.clone().map(|a| {
        view! {
            <p class="feed-item__story">
                <a href=a.href>{format!("Read the story: {}", a.title)}</a>
            </p>
        }
    });
    view! {
        <li
            class="feed-item"
            id=id
            data-item=item.id
            data-key=item.key_event.then_some("1")
            data-pinned=item.pinned.then_some("1")
        >
            <article aria-labelledby=labelled_by>
                <p class="feed-item__meta">
                    <time datetime=format::iso(item.created_at)>{posted_at(item.created_at, tz)}</time>
                    {updated}
                    {flags}
                </p>
                <h3 class="feed-item__headline" id=heading_id>
                    <a href=item.href()>{item.headline.clone()}</a>
                </h3>
                {(!item.body_html.is_empty())
                    .then(|| view! { <div class="feed-item__body" inner_html=item.body_html.clone()></div> })}
                {article}
            </article>
        </li>
    }
}

/// The HTML of one item, as pushed to open pages (same markup as the server render).
#[cfg(feature = "ssr")]
pub fn render_item_html(item: &FeedItem, site: &crate::model::SiteInfo) -> String {
    use leptos::tachys::view::RenderHtml;
    let owner = Owner::new();
    owner.with(|| {
        provide_context(site.clone());
        view! { <FeedItemView item=item.clone() /> }.to_html()
    })
}

/// The live list with its controls; only the first page is live.
#[component]
pub fn LiveList(
    page: FeedPage,
    #[prop(default = "page")] mode: &'static str,
    #[prop(default = 0)] limit: usize,
) -> impl IntoView {
    let stream = "/live/feed";
    let empty = page.items.is_empty();
    let items = page
        .items
        .into_iter()
        .map(|item| view! { <FeedItemView item /> })
        .collect_view();
    let live = !page.paged;
    let list = view! {
        <div
            class="live-list"
            data-live=live.then_some("1")
            data-stream=stream
            data-after=page.after_event
            data-mode=mode
            data-limit=(limit > 0).then(|| limit.to_string())
            data-key-only=page.key_events_only.then_some("1")
        >
            <div class="live-controls">
                <p class="live-status" data-live-status role="status">
                    {if live { "Updates appear here as they are posted." } else { "" }}
                </p>
                <button type="button" class="button--small button--outline" data-live-pause hidden aria-pressed="false">
                    "Pause live updates"
                </button>
            </div>
            <button type="button" class="live-new" data-live-new hidden></button>
            <ol class="feed-list">{items}</ol>
            {empty.then(|| view! { <p class="feed-empty">"No updates yet."</p> })}
            <div class="visually-hidden" aria-live="polite" data-live-announce></div>
        </div>
    };
    if live {
        view! { <LiveFeed>{list}</LiveFeed> }.into_any()
    } else {
        list.into_any()
    }
}

/// The "News Feed" column of the front and article pages.
#[component]
pub fn FeedColumn(page: FeedPage) -> impl IntoView {
    view! {
        <section class="live-column" aria-labelledby="news-feed-column">
            <h2 id="news-feed-column" class="rail__title">
                <a href="/news-feed">"News Feed"</a>
            </h2>
            <LiveList page mode="column" limit=8 />
            <p class="live-column__more">
                <a href="/news-feed">"All updates"</a>
            </p>
        </section>
    }
}
