//! The services a request can use, built once at start-up and shared.

use crate::{
    model::{FrontPage, MenuLink, NewsletterInfo, Promo, SectionRef, SiteInfo},
    server::{
        config::Config,
        live::LiveBus,
        mail::Mailer,
        media::MediaStore,
        popularity::Popularity,
        snapshot::Snapshot,
        store::{SectionInput, SharedStore, StoreResult},
    },
};
use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use leptos::prelude::LeptosOptions;
use std::sync::{Arc, Mutex};

/// Where "now" comes from: the system clock, or a hand-set one in tests.
#[derive(Clone)]
pub struct Clock(Arc<ClockInner>);

enum ClockInner {
    System,
    Manual(Mutex<DateTime<Utc>>),
}

impl Clock {
    /// The real clock.
    pub fn system() -> Self {
        Clock(Arc::new(ClockInner::System))
    }

    /// A clock that stands still until advanced.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Clock(Arc::new(ClockInner::Manual(Mutex::new(at))))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            ClockInner::System => Utc::now(),
            ClockInner::Manual(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, by: chrono::Duration) {
        if let ClockInner::Manual(t) = &*self.0 {
            let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
            *t += by;
        }
    }
}

/// A key for signing links and tokens. Never printed.
#[derive(Clone)]
pub struct Secret(Arc<Vec<u8>>);

impl Secret {
    /// Wraps key material.
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Arc::new(bytes))
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything the domain needs, passed in rather than reached for globally.
pub struct Services {
    pub config: Arc<Config>,
    pub store: SharedStore,
    pub clock: Clock,
    pub media: MediaStore,
    pub secret: Secret,
    pub site: SiteInfo,
    pub popularity: Popularity,
    pub live: LiveBus,
    pub mailer: Mailer,
    /// Wakes the newsletter sender when an issue starts.
    pub newsletter_wake: tokio::sync::Notify,
    /// In-memory caps: concurrent password hashes, live connections.
    pub limits: crate::server::limits::Limits,
    /// What the front page and every page's rails show (see `snapshot.rs`).
    pub highlights: Snapshot<FrontPage>,
    /// Rendered pages for anonymous readers (see `page_cache`).
    pub page_cache: Arc<crate::server::page_cache::PageCache>,
    /// What the rails listed when the page cache last looked (see `page_cache::invalidate`).
    pub page_cache_rails: crate::server::page_cache::invalidate::RailsMemory,
    /// Purges shared caches (Varnish, a CDN).
    pub cdn: crate::server::page_cache::cdn::Purger,
}

impl Services {
    /// Builds the services on an opened, migrated store; syncs configured sections into it.
    pub async fn build(config: Config, store: SharedStore, clock: Clock) -> StoreResult<Self> {
        let inputs: Vec<SectionInput> = config
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| SectionInput {
                slug: s.slug.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                position: i as i64,
            })
            .collect();
        store.sync_sections(&inputs).await?;
        let secret = if config.security.secret.is_empty() {
            // Development: a random secret, kept in the database so links survive restarts.
            let fresh = hex::encode(crate::server::crypto::random_bytes::<32>());
            store.setting_or_insert("secret", &fresh).await?
        } else {
            config.security.secret.clone()
        };
        let site = site_info(&config);
        let store_last_event = store.last_live_event_id().await?;
        let mailer = Mailer::new(config.mail.clone());
        Ok(Services {
            page_cache: crate::server::page_cache::PageCache::new(config.page_cache.clone()),
            page_cache_rails: Default::default(),
            cdn: crate::server::page_cache::cdn::Purger::new(config.cdn.clone()),
            limits: crate::server::limits::Limits::new(&config.limits),
            media: MediaStore::new(
                config.storage.media_dir.clone(),
                config.storage.max_upload_bytes,
            ),
            config: Arc::new(config),
            store,
            clock,
            secret: Secret::new(secret.into_bytes()),
            site,
            popularity: Popularity::default(),
            live: LiveBus::new(store_last_event),
            mailer,
            newsletter_wake: tokio::sync::Notify::new(),
            // The most-read ranking moves without events: refreshed at least this often.
            highlights: Snapshot::new(std::time::Duration::from_secs(30)),
        })
    }
}

/// The page-facing description of the publication.
pub fn site_info(config: &Config) -> SiteInfo {
    let section = |slug: &str| {
        config
            .sections
            .iter()
            .find(|s| s.slug == slug)
            .map(|s| SectionRef {
                slug: s.slug.clone(),
                title: s.title.clone(),
            })
    };
    let links = |l: &[crate::server::config::LinkConfig]| {
        l.iter()
            .map(|l| MenuLink {
                label: l.label.clone(),
                href: l.href.clone(),
            })
            .collect()
    };
    SiteInfo {
        name: config.site.name.clone(),
        tagline: config.site.tagline.clone(),
        base_url: config.site.base_url.clone(),
        language: config.site.language.clone(),
        disclaimer: config.site.disclaimer.clone(),
        time_zone: config.tz,
        header_sections: config
            .menus
            .header
            .iter()
            .filter_map(|s| section(s))
            .collect(),
        sections: config
            .sections
            .iter()
            .map(|s| SectionRef {
                slug: s.slug.clone(),
                title: s.title.clone(),
            })
            .collect(),
        more: links(&config.menus.more),
        social: links(&config.menus.social),
        newsletters: config
            .newsletters
            .iter()
            .map(|n| NewsletterInfo {
                slug: n.slug.clone(),
                name: n.name.clone(),
                description: n.description.clone(),
                cadence: n.cadence.clone(),
            })
            .collect(),
        promo: config.promo.enabled.then(|| Promo {
            id: config.promo.id.clone(),
            text: config.promo.text.clone(),
            link_label: config.promo.link_label.clone(),
            link_href: config.promo.link_href.clone(),
        }),
        view_beacon: config.cdn.beacon,
    }
}

/// The axum state: Leptos' options plus the services.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Arc<Services>,
    /// The stylesheet's URL (fingerprinted in release builds).
    pub css_href: Arc<str>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
