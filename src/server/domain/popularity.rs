//! "Most popular": views counted in memory without cookies, flushed in batches, ranked over a
//! rolling 24 hours. A view costs one uncontended mutex increment on the hot path.

use crate::server::store::{SharedStore, StoreResult};
use chrono::{DateTime, Duration, DurationRound, Utc};
use std::{
    collections::HashMap,
    sync::{
        Mutex, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

/// Distinct stories with views waiting for the next flush, at most.
const MAX_PENDING: usize = 50_000;

/// How long a view counts towards "Most popular".
pub const WINDOW_HOURS: i64 = 24;

/// Pending counts and the current ranking.
#[derive(Default)]
pub struct Popularity {
    pending: Mutex<HashMap<i64, u64>>,
    top: RwLock<Vec<i64>>,
    /// Bumped whenever the ranking changes, so what shows it (the highlights snapshot, cached
    /// pages with the rail) knows to refresh.
    generation: AtomicU64,
}

/// True for crawlers, link previewers, monitors and scripts, which must not count as readers.
pub fn is_bot(user_agent: Option<&str>) -> bool {
    let Some(ua) = user_agent else { return true };
    let ua = ua.to_ascii_lowercase();
    const MARKERS: [&str; 22] = [
        "bot",
        "crawl",
        "spider",
        "slurp",
        "preview",
        "fetch",
        "monitor",
        "lighthouse",
        "headlesschrome",
        "curl",
        "wget",
        "python",
        "httpclient",
        "okhttp",
        "java/",
        "go-http",
        "axios",
        "node-fetch",
        "facebookexternalhit",
        "embedly",
        "whatsapp",
        "scan",
    ];
    ua.len() < 10 || MARKERS.iter().any(|m| ua.contains(m))
}

impl Popularity {
    /// Counts one view by a reader (bots are ignored).
    pub fn record(&self, article_id: i64, user_agent: Option<&str>) -> bool {
        if is_bot(user_agent) {
            return false;
        }
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        // Made-up ids (the view beacon takes any number) cannot grow this without bound.
        if p.len() >= MAX_PENDING && !p.contains_key(&article_id) {
            return false;
        }
        *p.entry(article_id).or_default() += 1;
        true
    }

    /// The current ranking (article ids, most-read first).
    pub fn top(&self, n: usize) -> Vec<i64> {
        let t = self.top.read().unwrap_or_else(|e| e.into_inner());
        t.iter().take(n).copied().collect()
    }

    /// How many times the ranking has changed.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Views waiting to be written.
    pub fn pending_total(&self) -> u64 {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .sum()
    }

    /// Writes pending counts in one transaction and refreshes the ranking. If the write fails
    /// the counts are put back, so a database hiccup loses no views.
    pub async fn flush(&self, store: &SharedStore, now: DateTime<Utc>) -> StoreResult<()> {
        let batch: Vec<(i64, u64)> = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.drain().collect()
        };
        let hour = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
        if let Err(e) = store.add_views(hour, &batch).await {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            for (id, n) in batch {
                *p.entry(id).or_default() += n;
            }
            return Err(e);
        }
        let since = hour - Duration::hours(WINDOW_HOURS - 1);
        let top = store.top_viewed(since, 20).await?;
        let mut current = self.top.write().unwrap_or_else(|e| e.into_inner());
        if *current != top {
            *current = top;
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_and_scripts_do_not_count() {
        let p = Popularity::default();
        assert!(!p.record(1, Some("Googlebot/2.1 (+http://www.google.com/bot.html)")));
        assert!(!p.record(1, Some("curl/8.5.0")));
        assert!(!p.record(1, None));
        assert!(!p.record(1, Some("Mozilla/5.0 HeadlessChrome/120")));
        assert!(p.record(
            1,
            Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36")
        ));
        assert_eq!(p.pending_total(), 1);
    }
}
