//! Server functions of the live News Feed: reader pages (GET) and the editors' composer.

use crate::model::{AppError, ComposerPage, FeedItem, FeedPage, FormOutcome};
use leptos::{prelude::*, server_fn::codec::GetUrl};

#[cfg(feature = "ssr")]
use crate::{
    api::{auth::require, ctx, forms},
    model::Role,
    server::news_feed::{self, FeedItemForm},
};

/// A page of the News Feed.
#[server(prefix = "/api", endpoint = "reader/news-feed", input = GetUrl)]
pub async fn news_feed(before: Option<i64>, key: bool) -> Result<FeedPage, AppError> {
    let svc = ctx::services()?;
    ctx::cache_tags(vec![crate::server::page_cache::tags::FEED.to_owned()]);
    ctx::respond(news_feed::feed_page(&svc, before, key, news_feed::PAGE_ITEMS).await)
}

/// One update, for its permalink.
#[server(prefix = "/api", endpoint = "reader/feed-item", input = GetUrl)]
pub async fn get_feed_item(id: i64) -> Result<FeedItem, AppError> {
    let svc = ctx::services()?;
    ctx::cache_tags(vec![crate::server::page_cache::tags::FEED.to_owned()]);
    ctx::respond(news_feed::item(&svc, id).await)
}

/// The composer, optionally editing one item.
#[server(prefix = "/api", endpoint = "editor/live-composer", input = GetUrl)]
pub async fn composer(edit: Option<i64>) -> Result<ComposerPage, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = async {
        let editing = match edit {
            Some(id) => Some(news_feed::item(&svc, id).await?),
            None => None,
        };
        Ok(ComposerPage {
            viewer,
            editing,
            recent: svc
                .store
                .feed_items(crate::server::store::FeedQuery {
                    before: None,
                    key_events_only: false,
                    limit: 30,
                })
                .await?,
            sections: svc.store.sections().await?,
        })
    }
    .await;
    ctx::respond(result)
}

/// The composer's fields (flattened into the form: `headline=…&body=…`). Every field is text
/// because flattened form fields arrive as strings.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PostUpdateInput {
    #[serde(default)]
    pub id: String,
    pub headline: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub article: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub tags: String,
    pub key_event: Option<String>,
    pub pinned: Option<String>,
    pub breaking: Option<String>,
}

/// Posts a new update or saves an edit; open pages show it within a second.
#[server(prefix = "/api", endpoint = "editor/live-post")]
pub async fn post_update(
    #[server(flatten)] input: PostUpdateInput,
) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let form = FeedItemForm {
        id: input.id.trim().parse().ok().filter(|id: &i64| *id > 0),
        headline: input.headline,
        body: input.body,
        article: input.article,
        section: input.section,
        tags: input.tags,
        key_event: input.key_event.is_some(),
        pinned: input.pinned.is_some(),
        breaking: input.breaking.is_some(),
    };
    let editing = form.id.is_some();
    let values = form.values();
    let result = news_feed::post(&svc, &viewer, form)
        .await
        .map(|id| FormOutcome {
            // After an edit, back to the composer; after a post, a fresh form (focused again).
            redirect: Some(if editing {
                "/editor/live?saved=1".into()
            } else {
                format!("/editor/live?posted={id}")
            }),
            ..FormOutcome::message(if editing { "Update saved." } else { "Posted." })
        });
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    forms::finish("live-composer", &values, result).await
}

/// Deletes an update; open pages remove it.
#[server(prefix = "/api", endpoint = "editor/live-delete")]
pub async fn delete_update(id: i64) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = news_feed::delete(&svc, &viewer, id)
        .await
        .map(|_| FormOutcome {
            redirect: Some("/editor/live?deleted=1".into()),
            ..FormOutcome::message("Deleted.")
        });
    forms::finish(&format!("live-delete-{id}"), &[], result).await
}

/// Pins or unpins an update.
#[server(prefix = "/api", endpoint = "editor/live-pin")]
pub async fn pin_update(id: i64, pinned: bool) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Editor)?;
    let svc = ctx::services()?;
    let result = news_feed::set_pinned(&svc, &viewer, id, pinned)
        .await
        .map(|_| FormOutcome {
            redirect: Some("/editor/live".into()),
            ..FormOutcome::message(if pinned { "Pinned." } else { "Unpinned." })
        });
    forms::finish(&format!("live-pin-{id}"), &[], result).await
}
