//! The store contract: what every backend must do. By default each test gets a fresh
//! temporary SQLite database; `NEWSROOM_TEST_DATABASE_URL` names another backend instead, with
//! `{}` where each test's own database name goes (for example
//! `sqlite:///tmp/contract-{}.db?mode=rwc`).

use super::*;
use crate::{
    model::ArticleStatus,
    server::{config::is_slug, text::render_markdown},
};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// A database name no other test of this run uses.
fn fresh_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "newsroom_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn temp_store() -> (tempfile::TempDir, SharedStore) {
    let dir = tempfile::tempdir().unwrap();
    // A URL with `{}` names a fresh database per test (tests run in parallel).
    let url = match std::env::var("NEWSROOM_TEST_DATABASE_URL") {
        Ok(template) => template.replace("{}", &fresh_name()),
        Err(_) => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    let store = open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .sync_sections(&[
            SectionInput {
                slug: "news".into(),
                title: "News".into(),
                description: String::new(),
                position: 0,
            },
            SectionInput {
                slug: "sport".into(),
                title: "Sport".into(),
                description: String::new(),
                position: 1,
            },
        ])
        .await
        .unwrap();
    (dir, store)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
}

async fn write(store: &SharedStore, slug: &str, title: &str, body: &str) -> ArticleWrite {
    let sections = store.sections().await.unwrap();
    let r = render_markdown(body);
    assert!(is_slug(slug));
    ArticleWrite {
        slug: slug.into(),
        title: title.into(),
        dek: "A dek".into(),
        body_md: body.into(),
        body_html: r.html,
        body_text: r.text,
        word_count: r.words,
        section_id: sections[0].id,
        hero_image_id: None,
        hero_alt: String::new(),
        hero_caption: String::new(),
        hero_credit: String::new(),
        status: ArticleStatus::Published,
        editors_pick: false,
        published_at: Some(t0()),
        revised_at: None,
        tag_ids: vec![],
        author_ids: vec![],
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_sections_sync() {
    let (_d, store) = temp_store().await;
    store.migrate().await.unwrap();
    let s = store.sections().await.unwrap();
    assert_eq!(
        s.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(),
        ["news", "sport"]
    );
}

#[tokio::test]
async fn articles_round_trip_with_tags_and_authors() {
    let (_d, store) = temp_store().await;
    let tag = store.ensure_tag("ferries", "Ferries").await.unwrap();
    assert_eq!(store.ensure_tag("ferries", "Ferries").await.unwrap(), tag);
    let author = store
        .create_author(&AuthorInput {
            slug: "jo".into(),
            name: "Jo".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut w = write(&store, "ferry-back", "Ferry back", "The ferry is back.").await;
    w.tag_ids = vec![tag];
    w.author_ids = vec![author];
    let id = store.create_article(&w, t0()).await.unwrap();
    let a = store.article_by_slug("ferry-back").await.unwrap().unwrap();
    assert_eq!(a.id, id);
    assert_eq!(a.tags[0].slug, "ferries");
    assert_eq!(a.authors[0].name, "Jo");
    assert_eq!(a.version, 1);
    assert_eq!(a.published_at, Some(t0()));
    let (cards, total) = store
        .published_page(Listing::Tag(tag), 10, 0)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(cards[0].authors[0].slug, "jo");
    let cards = store
        .published(Listing::Author(author), 10, 0)
        .await
        .unwrap();
    assert_eq!(cards.len(), 1);
}

#[tokio::test]
async fn duplicate_slugs_are_reported_as_duplicates() {
    let (_d, store) = temp_store().await;
    let w = write(&store, "same", "One", "Text.").await;
    store.create_article(&w, t0()).await.unwrap();
    assert!(matches!(
        store.create_article(&w, t0()).await,
        Err(StoreError::Duplicate)
    ));
}

#[tokio::test]
async fn stale_updates_are_refused_and_lose_nothing() {
    let (_d, store) = temp_store().await;
    let w = write(&store, "story", "Original", "Original text.").await;
    let id = store.create_article(&w, t0()).await.unwrap();
    let mut first = w.clone();
    first.title = "First editor".into();
    assert_eq!(store.update_article(id, 1, &first, t0()).await.unwrap(), 2);
    let mut second = w.clone();
    second.title = "Second editor".into();
    assert!(matches!(
        store.update_article(id, 1, &second, t0()).await,
        Err(StoreError::Stale)
    ));
    let a = store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(a.title, "First editor");
    assert_eq!(a.version, 2);
}

#[tokio::test]
async fn changed_slugs_leave_a_redirect() {
    let (_d, store) = temp_store().await;
    let w = write(&store, "old-name", "Old", "Text.").await;
    let id = store.create_article(&w, t0()).await.unwrap();
    let mut renamed = w.clone();
    renamed.slug = "new-name".into();
    store.update_article(id, 1, &renamed, t0()).await.unwrap();
    assert!(store.article_by_slug("old-name").await.unwrap().is_none());
    assert_eq!(
        store.slug_redirect("old-name").await.unwrap(),
        Some(SlugRedirect {
            section_slug: "news".into(),
            slug: "new-name".into()
        })
    );
    // Renaming back removes the redirect for the slug now in use.
    let mut back = w.clone();
    back.slug = "old-name".into();
    store.update_article(id, 2, &back, t0()).await.unwrap();
    assert!(store.slug_redirect("old-name").await.unwrap().is_none());
    assert!(store.slug_redirect("new-name").await.unwrap().is_some());
}

#[tokio::test]
async fn listings_show_only_published_newest_first() {
    let (_d, store) = temp_store().await;
    for (i, status) in [
        ArticleStatus::Published,
        ArticleStatus::Draft,
        ArticleStatus::Published,
        ArticleStatus::Scheduled,
    ]
    .into_iter()
    .enumerate()
    {
        let mut w = write(&store, &format!("a-{i}"), &format!("A {i}"), "Text.").await;
        w.status = status;
        w.published_at = Some(t0() + Duration::hours(i as i64));
        store.create_article(&w, t0()).await.unwrap();
    }
    let (cards, total) = store.published_page(Listing::Latest, 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        cards.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(),
        ["a-2", "a-0"]
    );
    let page2 = store.published(Listing::Latest, 1, 1).await.unwrap();
    assert_eq!(page2[0].slug, "a-0");
}

#[tokio::test]
async fn scheduled_articles_publish_when_due() {
    let (_d, store) = temp_store().await;
    let mut w = write(&store, "later", "Later", "Text.").await;
    w.status = ArticleStatus::Scheduled;
    w.published_at = Some(t0() + Duration::hours(2));
    let id = store.create_article(&w, t0()).await.unwrap();
    assert!(store.publish_due(t0()).await.unwrap().is_empty());
    assert_eq!(
        store.publish_due(t0() + Duration::hours(3)).await.unwrap(),
        vec![id]
    );
    let a = store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(a.status, ArticleStatus::Published);
}

#[tokio::test]
async fn search_ranks_title_matches_first_and_ignores_drafts() {
    let (_d, store) = temp_store().await;
    let body = store
        .create_article(
            &write(
                &store,
                "in-body",
                "Council news",
                "The harbour ferry was late again.",
            )
            .await,
            t0(),
        )
        .await
        .unwrap();
    let title = store
        .create_article(
            &write(
                &store,
                "in-title",
                "Harbour ferry returns",
                "Service resumes.",
            )
            .await,
            t0(),
        )
        .await
        .unwrap();
    let mut draft = write(&store, "draft", "Harbour ferry secret", "Not yet.").await;
    draft.status = ArticleStatus::Draft;
    store.create_article(&draft, t0()).await.unwrap();
    let (hits, total) = store.search("harbour ferry", 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        hits.iter().map(|h| h.card.id).collect::<Vec<_>>(),
        vec![title, body]
    );
    assert!(hits[0].title_html.contains("<mark>Harbour</mark>"));
    // Prefix matching on the last word, and FTS syntax in input is harmless.
    assert_eq!(store.search("harb", 10, 0).await.unwrap().1, 2);
    assert_eq!(store.search("\"ferry\" (*", 10, 0).await.unwrap().1, 2);
    assert_eq!(store.search("", 10, 0).await.unwrap().1, 0);
}

#[tokio::test]
async fn views_are_counted_in_batches_over_a_window() {
    let (_d, store) = temp_store().await;
    let a = store
        .create_article(&write(&store, "a", "A", "Text.").await, t0())
        .await
        .unwrap();
    let b = store
        .create_article(&write(&store, "b", "B", "Text.").await, t0())
        .await
        .unwrap();
    store.add_views(t0(), &[(a, 3), (b, 5)]).await.unwrap();
    store
        .add_views(t0() + Duration::hours(1), &[(a, 4)])
        .await
        .unwrap();
    // Deleted articles are skipped, not fatal.
    store.add_views(t0(), &[(9999, 1)]).await.unwrap();
    assert_eq!(store.top_viewed(t0(), 10).await.unwrap(), vec![a, b]);
    assert_eq!(
        store
            .top_viewed(t0() + Duration::hours(1), 10)
            .await
            .unwrap(),
        vec![a]
    );
    assert_eq!(
        store.prune_views(t0() + Duration::hours(1)).await.unwrap(),
        2
    );
}

#[tokio::test]
async fn settings_insert_once() {
    let (_d, store) = temp_store().await;
    assert_eq!(
        store.setting_or_insert("k", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting_or_insert("k", "second").await.unwrap(),
        "first"
    );
}

/// The live log's ordering rule (store/live_log.rs), under load: writers append events in
/// concurrent units of work (some rolled back, each lingering a little before commit) while a
/// reader follows the log by id. The reader must see every committed event exactly once, in
/// id order, and never a rolled-back one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_following_the_live_log_see_every_committed_event_once_in_order() {
    use crate::model::{Channel, LiveKind};
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    const WRITERS: i64 = 6;
    const EACH: i64 = 50;
    let (_dir, store) = temp_store().await;
    let done = Arc::new(AtomicBool::new(false));
    let reader = tokio::spawn({
        let (store, done) = (store.clone(), done.clone());
        async move {
            let (mut last, mut seen) = (0i64, Vec::new());
            loop {
                let finished = done.load(Ordering::SeqCst);
                let batch = store.all_live_events_after(last, 64).await.unwrap();
                for e in &batch {
                    assert!(e.id > last, "ids arrive in increasing order");
                    last = e.id;
                    seen.push(e.id);
                }
                if batch.is_empty() {
                    if finished {
                        break seen;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            }
        }
    });
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut committed = Vec::new();
            for i in 0..EACH {
                let tx = store.begin().await.unwrap();
                let id = tx
                    .log_live_event(Channel::Comments(w), LiveKind::Upsert, i, t0())
                    .await
                    .unwrap();
                // Linger inside the unit of work, as real changes do.
                let pause = ((w * 7 + i * 3) % 4) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                if (w + i) % 9 == 0 {
                    drop(tx); // rolled back
                } else {
                    tx.commit().await.unwrap();
                    committed.push(id);
                }
            }
            committed
        }));
    }
    let mut committed = Vec::new();
    for w in writers {
        committed.extend(w.await.unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    committed.sort_unstable();
    let expected = (0..WRITERS)
        .flat_map(|w| (0..EACH).filter(move |i| (w + i) % 9 != 0))
        .count();
    assert_eq!(committed.len(), expected);
    assert_eq!(
        seen, committed,
        "every committed event once, in order, nothing else"
    );
}
