//! From the live event log to dropped pages: every node's sequencer hands each event here
//! after publishing it, so every node drops its own stale pages, and shared caches (Varnish,
//! a CDN) are told to purge the same tags.

use super::tags;
use crate::{
    model::{ArticleStatus, Channel, FrontPage},
    server::{state::Services, store::LiveEventRecord},
};
use std::sync::Mutex;

/// The story ids the front page and rails listed at the last build of the highlights: a
/// change there drops every page with rails; any other edit drops only the pages showing the
/// story.
#[derive(Default)]
pub struct RailsMemory(Mutex<Option<Vec<Vec<i64>>>>);

impl RailsMemory {
    /// Records a new build; true when an earlier build listed other stories.
    pub fn changed(&self, f: &FrontPage) -> bool {
        let ids = |c: &[crate::model::ArticleCard]| c.iter().map(|c| c.id).collect::<Vec<_>>();
        let mut lists = vec![
            f.lead.iter().map(|c| c.id).collect(),
            ids(&f.featured),
            ids(&f.latest),
            ids(&f.editors_picks),
        ];
        lists.extend(f.sections.iter().map(|s| ids(&s.cards)));
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let changed = last.as_ref().is_some_and(|l| *l != lists);
        *last = Some(lists);
        changed
    }
}

/// The tags an event makes stale.
pub async fn tags_for(svc: &Services, rec: &LiveEventRecord) -> Vec<String> {
    match rec.channel {
        Channel::Comments(article) => vec![tags::comments(article)],
        Channel::NewsFeed => vec![tags::FEED.to_owned()],
        Channel::Site => {
            let id = rec.target_id;
            let mut out = vec![tags::article(id), tags::SYNDICATION.to_owned()];
            // The listings it is in now (those it has left showed it: `a:<id>` drops them).
            if let Ok(Some(a)) = svc.store.article_by_id(id).await
                && a.status == ArticleStatus::Published
            {
                out.push(tags::section(&a.section.slug));
                out.extend(a.tags.iter().map(|t| tags::tag(&t.slug)));
                out.extend(a.authors.iter().map(|au| tags::author(&au.slug)));
            }
            // Rebuilding the highlights now drops the pages with rails if what they list
            // changed (see `pages::highlights`).
            if crate::server::pages::highlights(svc).await.is_err() {
                out.push(tags::RAILS.to_owned());
            }
            out
        }
    }
}

/// Drops this node's pages for an event and purges shared caches.
pub async fn on_event(svc: &Services, rec: &LiveEventRecord) {
    if !svc.page_cache.enabled() && !svc.cdn.configured() {
        return;
    }
    let tags = tags_for(svc, rec).await;
    drop_tags(svc, tags);
}

/// Drops `tags` here and in shared caches.
pub fn drop_tags(svc: &Services, tags: Vec<String>) {
    let n = svc.page_cache.invalidate(&tags);
    tracing::debug!(?tags, pages = n, "page cache: dropped");
    svc.cdn.purge(tags);
}
