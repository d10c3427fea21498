use super::*;
use crate::{
    server::{
        news_feed::feed_page,
        seed::{SeedOptions, load, seed_with},
    },
    testkit::TestApp,
};

fn demo_titles() -> HashMap<String, String> {
    load()
        .unwrap()
        .article
        .into_iter()
        .map(|a| {
            let slug = a.slug.unwrap_or_else(|| slugify(&a.title, 80));
            (a.title, slug)
        })
        .collect()
}

async fn seeded(extra: &[(&str, &str)], articles: usize) -> TestApp {
    let app = TestApp::with_config(extra).await;
    seed_with(
        &app.svc,
        &SeedOptions {
            image_width: 320,
            max_articles: articles,
            comments: false,
        },
    )
    .await
    .unwrap();
    app
}

#[test]
fn demo_updates_cover_two_days_and_link_only_earlier_articles() {
    let updates = load_updates().unwrap();
    let demo = load().unwrap();
    assert!((25..=40).contains(&updates.len()), "{}", updates.len());
    assert_eq!(updates.iter().filter(|u| u.pinned).count(), 1, "one pinned");
    assert!(updates.iter().filter(|u| u.key_event).count() >= 3);
    assert!(updates.iter().filter(|u| u.edited_after.is_some()).count() >= 5);
    assert!(updates.iter().filter(|u| u.article.is_some()).count() >= 10);
    let mut headlines = std::collections::HashSet::new();
    for u in &updates {
        assert!(
            headlines.insert(u.headline.as_str()),
            "duplicate {}",
            u.headline
        );
        assert!(
            (1..=48 * 60).contains(&u.minutes_ago),
            "{}: within two days",
            u.headline
        );
        if let Some(e) = u.edited_after {
            assert!(
                e > 0 && e < u.minutes_ago,
                "{}: edited in the past",
                u.headline
            );
        }
        if let Some(title) = &u.article {
            let a = demo.article.iter().find(|a| &a.title == title);
            let a = a.unwrap_or_else(|| panic!("{}: no article {title:?}", u.headline));
            assert!(
                u.minutes_ago < a.hours_ago * 60,
                "{}: posted before its article",
                u.headline
            );
        }
        assert!(u.headline.chars().count() <= crate::server::news_feed::MAX_HEADLINE);
    }
}

#[tokio::test]
async fn the_demo_feed_has_history_with_updated_items_key_events_and_a_pin() {
    let app = seeded(&[], 12).await;
    let svc = &app.svc;
    let before = svc.store.last_live_event_id().await.unwrap();
    let living = seed_living(svc, &demo_titles()).await.unwrap();
    let updates = load_updates().unwrap();
    assert_eq!(living.feed_items, updates.len());
    let edits = updates.iter().filter(|u| u.edited_after.is_some()).count();
    assert_eq!(living.edited, edits);
    // Every post and every edit is in the live log, as if an editor had made them.
    let events = svc
        .store
        .live_events_after(crate::model::Channel::NewsFeed, before, 500)
        .await
        .unwrap();
    assert_eq!(events.len(), updates.len() + edits);

    let page = feed_page(svc, None, false, 100).await.unwrap();
    assert_eq!(page.items.len(), updates.len());
    assert!(page.items[0].pinned, "the pinned update leads");
    let now = svc.clock.now();
    let rest = &page.items[1..];
    for w in rest.windows(2) {
        assert!(w[0].created_at >= w[1].created_at, "newest first");
    }
    assert!(
        rest[0].created_at > now - Duration::hours(1),
        "something recent"
    );
    for i in &page.items {
        assert!(i.created_at > now - Duration::hours(49) && i.created_at <= now);
        assert_eq!(i.edited, i.updated_at > i.created_at, "{}", i.headline);
    }
    assert_eq!(page.items.iter().filter(|i| i.edited).count(), edits);
    assert!(page.items.iter().filter(|i| i.key_event).count() >= 3);
    // Links go only to articles that exist (12 were seeded here).
    let linked = page.items.iter().filter(|i| i.article.is_some()).count();
    assert!(linked >= 3, "{linked} linked");
    assert!(linked < updates.iter().filter(|u| u.article.is_some()).count());
}

#[tokio::test]
async fn the_newsletter_desk_opens_on_a_sent_issue() {
    let app = seeded(&[], 12).await;
    let svc = &app.svc;
    seed_living(svc, &demo_titles()).await.unwrap();
    let issues = svc.store.issues(10).await.unwrap();
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(issue.status, crate::model::IssueState::Sent);
    assert_eq!((issue.total, issue.sent, issue.failed), (3, 3, 0));
    // Written before 07:00 yesterday, in the site's time zone.
    let local = issue.created_at.with_timezone(&svc.config.tz);
    assert_eq!(
        local.date_naive(),
        svc.clock.now().with_timezone(&svc.config.tz).date_naive() - Duration::days(1)
    );
    assert_eq!(local.format("%H:%M").to_string(), "06:10");
}

#[tokio::test]
async fn the_demo_staff_account_signs_in_in_development_only() {
    let app = seeded(&[], 2).await;
    let living = seed_living(&app.svc, &demo_titles()).await.unwrap();
    assert!(living.staff_account);
    let signed = auth::sign_in(&app.svc, DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, "127.0.0.1")
        .await
        .expect("demo account signs in");
    assert_eq!(signed.user.role, Role::Admin);
    assert!(
        demo_staff_hint(&app.svc)
            .await
            .unwrap()
            .contains(DEMO_STAFF_EMAIL)
    );
    // The desk account the updates are credited to cannot sign in.
    assert!(
        auth::sign_in(&app.svc, LIVE_DESK_EMAIL, "!", "127.0.0.1")
            .await
            .is_err()
    );

    let prod = seeded(&[("NEWSROOM__SITE__MODE", "production")], 2).await;
    let living = seed_living(&prod.svc, &demo_titles()).await.unwrap();
    assert!(!living.staff_account);
    assert!(living.feed_items > 0, "the demo content itself still loads");
    assert!(
        prod.svc
            .store
            .user_by_email(DEMO_STAFF_EMAIL)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!ensure_demo_staff(&prod.svc).await.unwrap());
    assert_eq!(demo_staff_hint(&prod.svc).await, None);
}

#[tokio::test]
async fn demo_live_posts_updates_and_revises_one_now_and_then() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    let before = svc.store.last_live_event_id().await.unwrap();
    let mut previous = None;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (id, headline) = post_demo_update(svc, n, previous).await.unwrap();
        ids.push(id);
        previous = Some((id, headline));
    }
    let page = feed_page(svc, None, false, 10).await.unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        ids.iter().rev().copied().collect::<Vec<_>>()
    );
    let edited: Vec<bool> = page.items.iter().map(|i| i.edited).collect();
    assert_eq!(
        edited,
        [false, true, false],
        "the third call revises the second"
    );
    assert!(page.items[1].body_md.starts_with("*Revised at"));
    // 3 posts + 1 revision, each in the live log for open pages.
    assert_eq!(
        svc.store
            .live_events_after(crate::model::Channel::NewsFeed, before, 50)
            .await
            .unwrap()
            .len(),
        4
    );
}
