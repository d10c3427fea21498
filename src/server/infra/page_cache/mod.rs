//! The rendered-page cache for anonymous readers (issue #21).
//!
//! A page that says what it shows (its *tags*: `a:42` for an article, `s:news` for a section's
//! listing, `rails` for the side rails, …; see [`tags`]) is kept after its first render, with
//! its body compressed once with brotli and gzip. Every node drops (marks stale) the entries
//! with a tag the live event log reports changed ([`invalidate`]), so an edit on one node is
//! seen on all of them. A stale entry keeps being served while exactly one request renders
//! its new version, so a hot story edited at full load costs one render, not a stampede.
//!
//! Never stored: requests with a session or reader cookie (an editor's page carries "Edit
//! post"), `?flash=` results and any query parameter the pages do not read, responses that
//! set cookies, responses without tags, and statuses other than 200 and 404.
//!
//! The nonce-based Content-Security-Policy cannot be replayed: a nonce served to many readers
//! is no secret. A stored page gets a policy that allows its inline scripts by their SHA-256
//! hashes instead (computed once, when stored), so `'strict-dynamic'` still lets only those
//! scripts load the bundle; the nonce attributes left in the markup are inert.

pub mod cdn;
mod http;
pub mod invalidate;
pub mod tags;

#[cfg(test)]
mod tests;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use bytes::Bytes;
use serde::Deserialize;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

pub use http::{STATUS_HEADER, VIEW_HEADER, layer};

/// The internal response header through which a page lists its tags (removed before sending).
pub const TAGS_HEADER: &str = "x-newsroom-cache-tags";

/// `[page_cache]` in `Leptos.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageCacheConfig {
    /// Memory for stored pages (all three encodings count); 0 turns the cache off.
    pub max_bytes: usize,
    /// A stored page is re-rendered after this long even without an event (author bios and
    /// other things that change without one).
    pub max_age_seconds: u64,
    /// `Cache-Control: s-maxage` for shared caches (CDN, Varnish); they are purged on change.
    pub s_maxage: u32,
    /// `stale-while-revalidate` for shared caches.
    pub stale_while_revalidate: u32,
    /// `stale-if-error` for shared caches.
    pub stale_if_error: u32,
}

impl Default for PageCacheConfig {
    fn default() -> Self {
        PageCacheConfig {
            max_bytes: 64 * 1024 * 1024,
            max_age_seconds: 300,
            s_maxage: 300,
            stale_while_revalidate: 30,
            stale_if_error: 86_400,
        }
    }
}

/// One stored page.
pub struct Entry {
    pub status: StatusCode,
    /// The response's headers without those set per response (CSP, cookies, lengths).
    pub headers: HeaderMap,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub br: Bytes,
    pub etag: Option<HeaderValue>,
    /// The policy with hashes of the page's inline scripts.
    pub csp: Option<HeaderValue>,
    pub tags: Vec<String>,
    /// The article whose view a hit counts for "Most popular".
    pub viewed_article: Option<i64>,
    stale: AtomicBool,
    stored: Instant,
}

impl Entry {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        status: StatusCode,
        headers: HeaderMap,
        identity: Bytes,
        etag: Option<HeaderValue>,
        csp: Option<HeaderValue>,
        tags: Vec<String>,
        viewed_article: Option<i64>,
    ) -> Self {
        let (gzip, br) = compress(&identity);
        Entry {
            status,
            headers,
            identity,
            gzip,
            br,
            etag,
            csp,
            tags,
            viewed_article,
            stale: AtomicBool::new(false),
            stored: Instant::now(),
        }
    }

    fn size(&self, key: &str) -> usize {
        const OVERHEAD: usize = 512;
        key.len()
            + self.identity.len()
            + self.gzip.len()
            + self.br.len()
            + self.tags.iter().map(|t| t.len() + 24).sum::<usize>()
            + self
                .headers
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len() + 32)
                .sum::<usize>()
            + OVERHEAD
    }

    /// Older than `max_age`, or dropped by an event.
    pub fn is_stale(&self, max_age: Duration) -> bool {
        self.stale.load(Ordering::Acquire) || self.stored.elapsed() >= max_age
    }

    /// Seconds since it was rendered (the `Age` header).
    pub fn age(&self) -> u64 {
        self.stored.elapsed().as_secs()
    }
}

/// Brotli (quality 6: about gzip's speed, a tenth smaller) and gzip (level 6), once per render.
fn compress(body: &[u8]) -> (Bytes, Bytes) {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let gzip = gz
        .write_all(body)
        .and_then(|_| gz.finish())
        .unwrap_or_default();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 6,
        lgwin: 22,
        ..Default::default()
    };
    if brotli::BrotliCompress(&mut &body[..], &mut br, &params).is_err() {
        br.clear();
    }
    (Bytes::from(gzip), Bytes::from(br))
}

/// Counters for tests, `make bench` and the logs.
#[derive(Default)]
pub struct Stats {
    pub hits: AtomicU64,
    pub stale_hits: AtomicU64,
    pub misses: AtomicU64,
    pub renders: AtomicU64,
    pub stored: AtomicU64,
    pub evicted: AtomicU64,
    pub invalidated: AtomicU64,
}

struct Inner {
    entries: lru::LruCache<String, Arc<Entry>>,
    bytes: usize,
    by_tag: HashMap<String, HashSet<String>>,
    /// Keys being rendered, with a channel closed when the render ends.
    rendering: HashMap<String, tokio::sync::watch::Receiver<()>>,
    /// Recent invalidations, numbered: a render that began before one of them that names its
    /// tags may show the old content, so it is stored already stale.
    recent: std::collections::VecDeque<(u64, Vec<String>)>,
    epoch: u64,
}

/// Invalidations remembered for renders in flight.
const RECENT: usize = 256;

/// The cache of one node.
pub struct PageCache {
    pub config: PageCacheConfig,
    inner: Mutex<Inner>,
    pub stats: Stats,
    /// The live bus's change count that stored pages reflect (set by the sequencer).
    synced: AtomicU64,
}

/// What a lookup found.
pub enum Lookup {
    /// A fresh page.
    Fresh(Arc<Entry>),
    /// A stale page while another request renders its new version.
    Stale(Arc<Entry>),
    /// This request renders (the page is missing or stale); the guard ends the render.
    Render(RenderGuard, Option<Arc<Entry>>),
    /// Another request is rendering a page nobody has yet: wait for it.
    Wait(tokio::sync::watch::Receiver<()>),
}

/// Held by the one request rendering a key; dropping it lets waiting requests go on.
pub struct RenderGuard {
    cache: Arc<PageCache>,
    key: String,
    _done: tokio::sync::watch::Sender<()>,
}

impl Drop for RenderGuard {
    fn drop(&mut self) {
        self.cache.lock().rendering.remove(&self.key);
    }
}

impl PageCache {
    pub fn new(config: PageCacheConfig) -> Arc<Self> {
        Arc::new(PageCache {
            config,
            inner: Mutex::new(Inner {
                entries: lru::LruCache::unbounded(),
                bytes: 0,
                by_tag: HashMap::new(),
                rendering: HashMap::new(),
                recent: std::collections::VecDeque::new(),
                epoch: 0,
            }),
            stats: Stats::default(),
            synced: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that every change up to `changes` has dropped its pages.
    pub fn mark_synced(&self, changes: u64) {
        self.synced.store(changes, Ordering::Release);
    }

    /// False while a change committed on this node (its unit of work woke the sequencer) has
    /// not yet dropped its pages: requests then render, so whoever follows a change here sees
    /// it at once; other nodes see it when their sequencers read the log (within a second).
    pub fn in_sync(&self, changes: u64) -> bool {
        self.synced.load(Ordering::Acquire) == changes
    }

    pub fn enabled(&self) -> bool {
        self.config.max_bytes > 0
    }

    fn max_age(&self) -> Duration {
        Duration::from_secs(self.config.max_age_seconds.max(1))
    }

    /// What to do for `key`.
    pub fn lookup(self: &Arc<Self>, key: &str) -> Lookup {
        let max_age = self.max_age();
        let mut inner = self.lock();
        let found = inner.entries.get(key).cloned();
        match found {
            Some(e) if !e.is_stale(max_age) => {
                self.stats.hits.fetch_add(1, Ordering::Relaxed);
                Lookup::Fresh(e)
            }
            found => {
                if let Some(rx) = inner.rendering.get(key) {
                    return match found {
                        Some(e) => {
                            self.stats.stale_hits.fetch_add(1, Ordering::Relaxed);
                            Lookup::Stale(e)
                        }
                        None => Lookup::Wait(rx.clone()),
                    };
                }
                let (tx, rx) = tokio::sync::watch::channel(());
                inner.rendering.insert(key.to_owned(), rx);
                self.stats.misses.fetch_add(1, Ordering::Relaxed);
                Lookup::Render(
                    RenderGuard {
                        cache: self.clone(),
                        key: key.to_owned(),
                        _done: tx,
                    },
                    found,
                )
            }
        }
    }

    /// The invalidation count, taken when a render begins (see [`Self::store`]).
    pub fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// Stores a render that began at `epoch`, replacing what `key` held, and evicts the least
    /// recently used pages past the byte budget.
    pub fn store(&self, key: &str, entry: Arc<Entry>, epoch: u64) {
        self.stats.renders.fetch_add(1, Ordering::Relaxed);
        let size = entry.size(key);
        if size > self.config.max_bytes / 4 {
            // One page may not push most others out.
            self.remove(key);
            return;
        }
        let mut inner = self.lock();
        let missed = inner.epoch > epoch
            && (inner.recent.front().is_none_or(|(n, _)| *n > epoch + 1)
                || inner
                    .recent
                    .iter()
                    .any(|(n, tags)| *n > epoch && tags.iter().any(|t| entry.tags.contains(t))));
        if missed {
            entry.stale.store(true, Ordering::Release);
        }
        if let Some(old) = inner.entries.pop(key) {
            unindex(&mut inner, key, &old);
        }
        for tag in &entry.tags {
            inner
                .by_tag
                .entry(tag.clone())
                .or_default()
                .insert(key.to_owned());
        }
        inner.bytes += size;
        inner.entries.put(key.to_owned(), entry);
        self.stats.stored.fetch_add(1, Ordering::Relaxed);
        while inner.bytes > self.config.max_bytes {
            let Some((k, old)) = inner.entries.pop_lru() else {
                break;
            };
            unindex(&mut inner, &k, &old);
            self.stats.evicted.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Drops `key` (its new render may not be stored: an error, a withdrawn story).
    pub fn remove(&self, key: &str) {
        let mut inner = self.lock();
        if let Some(old) = inner.entries.pop(key) {
            unindex(&mut inner, key, &old);
        }
    }

    /// Marks every page with one of `tags` stale; returns how many.
    pub fn invalidate<S: AsRef<str>>(&self, tags: &[S]) -> usize {
        let mut inner = self.lock();
        inner.epoch += 1;
        let epoch = inner.epoch;
        if inner.recent.len() == RECENT {
            inner.recent.pop_front();
        }
        inner
            .recent
            .push_back((epoch, tags.iter().map(|t| t.as_ref().to_owned()).collect()));
        let mut keys: HashSet<&String> = HashSet::new();
        for tag in tags {
            if let Some(k) = inner.by_tag.get(tag.as_ref()) {
                keys.extend(k.iter());
            }
        }
        let mut n = 0;
        for key in keys {
            if let Some(e) = inner.entries.peek(key)
                && !e.stale.swap(true, Ordering::AcqRel)
            {
                n += 1;
            }
        }
        self.stats
            .invalidated
            .fetch_add(n as u64, Ordering::Relaxed);
        n
    }

    /// Whether `key` is stored and fresh (tests and diagnostics).
    pub fn is_fresh(&self, key: &str) -> bool {
        let max_age = self.max_age();
        self.lock()
            .entries
            .peek(key)
            .is_some_and(|e| !e.is_stale(max_age))
    }

    /// Stored pages and their bytes.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
    }
}

fn unindex(inner: &mut Inner, key: &str, old: &Entry) {
    inner.bytes = inner.bytes.saturating_sub(old.size(key));
    for tag in &old.tags {
        if let Some(keys) = inner.by_tag.get_mut(tag) {
            keys.remove(key);
            if keys.is_empty() {
                inner.by_tag.remove(tag);
            }
        }
    }
}
