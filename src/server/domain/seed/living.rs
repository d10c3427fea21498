//! The parts of the demo that make the newsroom look alive on first start: two days of News Feed
//! history, a sent newsletter issue, and (in development mode only) a staff account to sign in
//! with. Everything goes through the store's own writes, so the live log has an event for every
//! feed item and edit, exactly as if an editor had posted them.

use super::SeedError;
use crate::{
    model::Role,
    server::{
        auth,
        newsletters::render_issue,
        state::Services,
        store::{FeedItemWrite, Listing, NewUser},
        text::{one_line, render_markdown_limited, slugify},
    },
};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde::Deserialize;
use std::collections::HashMap;

const NEWS_FEED: &str = include_str!("demo/news_feed.toml");

/// The local-only demo staff account (development mode only).
pub const DEMO_STAFF_EMAIL: &str = "demo.editor@ledger.example";
/// Its password: public on purpose, which is why it never exists in production mode.
pub const DEMO_STAFF_PASSWORD: &str = "calloway-demo-desk";
const DEMO_STAFF_NAME: &str = "Demo Editor";

/// The (inactive, password-less) account the seeded feed updates are credited to.
const LIVE_DESK_EMAIL: &str = "live.desk@ledger.example";
const LIVE_DESK_NAME: &str = "Ledger Live Desk";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewsFeedFile {
    update: Vec<DemoUpdate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoUpdate {
    pub headline: String,
    #[serde(default)]
    pub body: String,
    pub minutes_ago: i64,
    #[serde(default)]
    pub edited_after: Option<i64>,
    #[serde(default)]
    pub key_event: bool,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub section: Option<String>,
    /// Title of a demo article.
    #[serde(default)]
    pub article: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

pub(super) fn load_updates() -> Result<Vec<DemoUpdate>, SeedError> {
    let f: NewsFeedFile = toml::from_str(NEWS_FEED).map_err(|e| SeedError::Data(e.to_string()))?;
    Ok(f.update)
}

/// What the living part of the demo added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LivingDemo {
    pub feed_items: usize,
    pub edited: usize,
    pub sent_issues: usize,
    /// Whether the demo staff account was created (development mode only).
    pub staff_account: bool,
}

/// Adds feed history, a sent newsletter issue and, in development mode, the demo staff account.
/// `articles` maps demo article titles to their slugs.
pub async fn seed_living(
    svc: &Services,
    articles: &HashMap<String, String>,
) -> Result<LivingDemo, SeedError> {
    let mut out = LivingDemo::default();
    let now = svc.clock.now();
    let desk = desk_account(svc, now - Duration::days(3)).await?;
    let (feed_items, edited) = seed_news_feed(svc, articles, desk, now).await?;
    out.feed_items = feed_items;
    out.edited = edited;
    out.sent_issues = seed_newsletter_archive(svc, now).await?;
    out.staff_account = ensure_demo_staff(svc).await?;
    Ok(out)
}

async fn desk_account(svc: &Services, at: DateTime<Utc>) -> Result<i64, SeedError> {
    if let Some(u) = svc.store.user_by_email(LIVE_DESK_EMAIL).await? {
        return Ok(u.id);
    }
    // "!" is not a password hash, so no password ever matches; the account is inactive too.
    let id = svc
        .store
        .create_user(
            &NewUser {
                email: LIVE_DESK_EMAIL.into(),
                name: LIVE_DESK_NAME.into(),
                role: Role::Editor,
                password_hash: "!".into(),
            },
            at,
        )
        .await?;
    svc.store.set_user_active(id, false).await?;
    Ok(id)
}

/// One change to the feed at a point in time: posting an update, or revising it.
enum Step<'a> {
    Post(&'a DemoUpdate),
    Edit(&'a DemoUpdate),
}

async fn seed_news_feed(
    svc: &Services,
    articles: &HashMap<String, String>,
    desk: i64,
    now: DateTime<Utc>,
) -> Result<(usize, usize), SeedError> {
    let updates = load_updates()?;
    let sections: HashMap<String, i64> = svc
        .store
        .sections()
        .await?
        .into_iter()
        .map(|s| (s.slug, s.id))
        .collect();
    // Replay the two days in order, so ids and the live log follow the clock.
    let mut steps: Vec<(i64, Step)> = Vec::new();
    for u in &updates {
        steps.push((u.minutes_ago, Step::Post(u)));
        if let Some(after) = u.edited_after {
            steps.push((u.minutes_ago - after, Step::Edit(u)));
        }
    }
    steps.sort_by_key(|(ago, _)| std::cmp::Reverse(*ago));
    let mut ids: HashMap<&str, i64> = HashMap::new();
    let (mut posted, mut edited) = (0, 0);
    for (ago, step) in steps {
        let at = now - Duration::minutes(ago);
        match step {
            Step::Post(u) => {
                let write = feed_write(svc, u, articles, &sections, false).await?;
                let (id, _) = svc
                    .store
                    .create_feed_item(&write, (desk, LIVE_DESK_NAME), at)
                    .await?;
                ids.insert(u.headline.as_str(), id);
                posted += 1;
            }
            Step::Edit(u) => {
                let id = ids[u.headline.as_str()];
                let write = feed_write(svc, u, articles, &sections, true).await?;
                svc.store.update_feed_item(id, &write, at).await?;
                edited += 1;
            }
        }
    }
    svc.live.wake();
    Ok((posted, edited))
}

async fn feed_write(
    svc: &Services,
    u: &DemoUpdate,
    articles: &HashMap<String, String>,
    sections: &HashMap<String, i64>,
    revised: bool,
) -> Result<FeedItemWrite, SeedError> {
    let article_id = match &u.article {
        None => None,
        Some(title) => match articles.get(title) {
            // Only the articles that were seeded can be linked.
            None => None,
            Some(slug) => svc.store.article_by_slug(slug).await?.map(|a| a.id),
        },
    };
    let section_id = match &u.section {
        None => None,
        Some(s) => Some(
            *sections
                .get(s)
                .ok_or_else(|| SeedError::Data(format!("{}: unknown section {s}", u.headline)))?,
        ),
    };
    let mut tag_ids = Vec::new();
    for t in &u.tags {
        tag_ids.push(svc.store.ensure_tag(&slugify(t, 60), t).await?);
    }
    // The first version of a revised update carries no correction note; the revision adds one,
    // as the desk does when it changes a posted update.
    let body_md = if revised {
        format!("{}\n\n*This update was revised.*", u.body.trim())
    } else {
        u.body.trim().to_owned()
    };
    let body = render_markdown_limited(&body_md);
    Ok(FeedItemWrite {
        headline: one_line(&u.headline),
        body_md,
        body_html: body.html,
        article_id,
        section_id,
        tag_ids,
        key_event: u.key_event,
        pinned: u.pinned,
        breaking: false,
    })
}

/// Yesterday's Morning Briefing, sent at 07:00 in the site's time zone to three fictional
/// subscribers, so the newsletter desk opens on an archive rather than an empty table.
async fn seed_newsletter_archive(svc: &Services, now: DateTime<Utc>) -> Result<usize, SeedError> {
    let Some(info) = svc.site.newsletters.first().cloned() else {
        return Ok(0);
    };
    let tz = svc.config.tz;
    let yesterday = now.with_timezone(&tz).date_naive() - Duration::days(1);
    let seven = NaiveTime::from_hms_opt(7, 0, 0).expect("valid time");
    let sent_at = tz
        .from_local_datetime(&yesterday.and_time(seven))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - Duration::days(1));
    let written_at = sent_at - Duration::minutes(50);
    // The five newest stories published before the issue was written.
    let cards = svc.store.published(Listing::Latest, 40, 0).await?;
    let cards: Vec<_> = cards
        .into_iter()
        .filter(|c| c.published_at.is_some_and(|p| p < written_at))
        .take(5)
        .collect();
    if cards.is_empty() {
        return Ok(0);
    }
    let list = [info.slug.clone()];
    for name in ["ines.marlow", "tobias.renn", "odile.fairweather"] {
        let email = format!("{name}@readers.example.invalid");
        let joined = sent_at - Duration::days(30);
        let (id, _) = svc.store.subscribe(&email, &list, joined).await?;
        svc.store.confirm(id, &list, joined).await?;
    }
    let subject = "Morning Briefing: ferries, floodlights and a bell comes home";
    let intro = "Good morning. The harbour vote is still the talk of Quay Street, the ferry \
                 is nearly back, and the county ground gets its lights. Here is what to read \
                 before your first coffee.";
    let (html, text) = render_issue(svc, &info, subject, intro, &cards);
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let issue = svc
        .store
        .save_issue(
            None,
            &info.slug,
            subject,
            intro,
            &ids,
            &html,
            &text,
            LIVE_DESK_NAME,
            written_at,
        )
        .await?;
    svc.store.start_issue(issue, sent_at).await?;
    for d in svc.store.due_deliveries(sent_at, 100).await? {
        svc.store
            .mark_sent(d.issue_id, d.subscriber_id, sent_at + Duration::seconds(2))
            .await?;
    }
    svc.store
        .finish_issues(sent_at + Duration::seconds(5))
        .await?;
    Ok(1)
}

/// What `newsroom demo-live` posts, in turn: small, plainly fictional happenings.
const LIVE_UPDATES: [(&str, &str, &str); 8] = [
    (
        "Gulls ground the harbour drone survey",
        "The survey team says the birds took an interest in the propellers. A new flight is planned for Thursday.",
        "news",
    ),
    (
        "Quay Street lights switched on early",
        "The council brought the winter lighting forward a week after a vote by traders.",
        "business",
    ),
    (
        "Keeling Island ferry running five minutes late",
        "A strong ebb tide at the narrows is slowing crossings this hour.",
        "news",
    ),
    (
        "Rowing club opens its boathouse doors on Sunday",
        "Visitors can try the indoor tank from ten until two.",
        "sport",
    ),
    (
        "Hail showers reported in Millbrook",
        "Readers send pictures of a brief, white high street. Roads are clear again.",
        "climate",
    ),
    (
        "Council publishes the harbour objections in full",
        "All 2,318 letters are now online, with personal details removed.",
        "politics",
    ),
    (
        "Quayside Theatre adds two matinees",
        "The winter 'Tempest' sold out its evening run within a day.",
        "culture",
    ),
    (
        "Port Anvers station lift back in service",
        "Engineers replaced a door sensor overnight.",
        "news",
    ),
];

/// Posts the `n`th fictional live update; every third call also revises `previous` (the last
/// one posted), so "Updated" shows up live too. Returns the new item's id and headline.
pub async fn post_demo_update(
    svc: &Services,
    n: u32,
    previous: Option<(i64, String)>,
) -> Result<(i64, String), SeedError> {
    let now = svc.clock.now();
    let desk = desk_account(svc, now).await?;
    let (headline, body, section) = LIVE_UPDATES[n as usize % LIVE_UPDATES.len()];
    let section_id = svc
        .store
        .sections()
        .await?
        .into_iter()
        .find(|s| s.slug == section)
        .map(|s| s.id);
    let local = now.with_timezone(&svc.config.tz).format("%H:%M");
    let write = |headline: String, body_md: String| {
        let html = render_markdown_limited(&body_md).html;
        FeedItemWrite {
            headline,
            body_md,
            body_html: html,
            article_id: None,
            section_id,
            tag_ids: Vec::new(),
            key_event: false,
            pinned: false,
            breaking: false,
        }
    };
    if let Some((prev, prev_headline)) = previous.filter(|_| n % 3 == 2) {
        let revised = format!("*Revised at {local}:* the desk has checked this with the council.");
        // An item deleted meanwhile by an editor is simply left alone.
        let _ = svc
            .store
            .update_feed_item(prev, &write(prev_headline, revised), now)
            .await;
    }
    let headline = format!("{headline} ({local})");
    let (id, _) = svc
        .store
        .create_feed_item(
            &write(headline.clone(), body.into()),
            (desk, LIVE_DESK_NAME),
            now,
        )
        .await?;
    svc.live.wake();
    Ok((id, headline))
}

/// Creates the demo staff account in development mode; never in production mode.
/// Returns whether it exists afterwards.
pub async fn ensure_demo_staff(svc: &Services) -> Result<bool, SeedError> {
    if !svc.config.is_development() {
        return Ok(false);
    }
    if svc.store.user_by_email(DEMO_STAFF_EMAIL).await?.is_some() {
        return Ok(true);
    }
    auth::create_user(
        svc,
        DEMO_STAFF_EMAIL,
        DEMO_STAFF_NAME,
        Role::Admin,
        DEMO_STAFF_PASSWORD,
    )
    .await
    .map_err(|e| SeedError::Data(format!("demo staff account: {e}")))?;
    Ok(true)
}

/// The demo staff account's sign-in hint, when it exists and the site is in development mode.
pub async fn demo_staff_hint(svc: &Services) -> Option<String> {
    if !svc.config.is_development() {
        return None;
    }
    let user = svc
        .store
        .user_by_email(DEMO_STAFF_EMAIL)
        .await
        .ok()
        .flatten()?;
    user.active.then(|| {
        format!(
            "staff sign-in (local demo only): {}/signin as {DEMO_STAFF_EMAIL}, password {DEMO_STAFF_PASSWORD}",
            svc.config.site.base_url
        )
    })
}

#[cfg(test)]
mod tests;
