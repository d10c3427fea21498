use super::*;
use crate::model::{AuditAction, DiffLine};
use crate::server::users::change_user;
use crate::testkit::TestApp;
use chrono::Duration;

async fn staff(app: &TestApp, role: Role) -> Viewer {
    app.staff(role).await
}

fn form(title: &str) -> ArticleForm {
    ArticleForm {
        title: title.into(),
        dek: "A standfirst.".into(),
        section: "news".into(),
        tags: "Ferries, Keeling Island, ferries".into(),
        authors: vec!["samuel-achterberg".into()],
        body: "The ferry is back.\n\n<script>alert(1)</script>".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_new_article_is_a_sanitized_draft_with_a_revision() {
    let app = TestApp::seeded(1).await;
    let ed = staff(&app, Role::Editor).await;
    let saved = save_article(&app.svc, &ed, form("Ferry: back — at last!"))
        .await
        .unwrap();
    assert!(saved.created);
    assert_eq!(saved.slug, "ferry-back-at-last");
    assert_eq!(saved.status, ArticleStatus::Draft);
    let a = app
        .svc
        .store
        .article_by_id(saved.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!a.body_html.contains("<script"), "{}", a.body_html);
    assert_eq!(a.tags.len(), 2, "duplicate tag collapsed");
    assert_eq!(app.svc.store.revisions(saved.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_fields_are_all_reported_and_nothing_is_written() {
    let app = TestApp::seeded(1).await;
    let ed = staff(&app, Role::Editor).await;
    let before = app.svc.store.article_count().await.unwrap();
    let mut f = form(&"x".repeat(10_000));
    f.section = "nope".into();
    f.authors = vec![];
    f.slug = "Bad Slug!".into();
    f.hero_upload = Some(b"not an image at all, renamed photo.jpg".to_vec());
    let e = save_article(&app.svc, &ed, f).await.unwrap_err();
    for field in ["title", "section", "authors", "slug", "hero_image"] {
        assert!(e.for_field(field).is_some(), "{field}: {e:?}");
    }
    assert!(e.for_field("title").unwrap().contains("10000"));
    assert_eq!(app.svc.store.article_count().await.unwrap(), before);
}

#[tokio::test]
async fn a_non_image_upload_is_refused_and_the_article_is_untouched() {
    let app = TestApp::seeded(1).await;
    let ed = staff(&app, Role::Editor).await;
    let saved = save_article(&app.svc, &ed, form("Original")).await.unwrap();
    let mut f = form("Changed title");
    f.id = Some(saved.id);
    f.version = saved.version;
    f.hero_alt = "Alt".into();
    f.hero_upload = Some(b"%PDF-1.4 definitely not a picture".to_vec());
    let e = save_article(&app.svc, &ed, f).await.unwrap_err();
    assert!(e.for_field("hero_image").unwrap().contains("not an image"));
    let a = app
        .svc
        .store
        .article_by_id(saved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.title, "Original");
    assert_eq!(a.version, saved.version);
}

#[tokio::test]
async fn the_second_of_two_concurrent_saves_is_refused() {
    let app = TestApp::seeded(1).await;
    let ed = staff(&app, Role::Editor).await;
    let saved = save_article(&app.svc, &ed, form("Original")).await.unwrap();
    let mut first = form("First editor's title");
    first.id = Some(saved.id);
    first.version = saved.version;
    let mut second = form("Second editor's title");
    second.id = Some(saved.id);
    second.version = saved.version;
    save_article(&app.svc, &ed, first).await.unwrap();
    let e = save_article(&app.svc, &ed, second).await.unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    let a = app
        .svc
        .store
        .article_by_id(saved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.title, "First editor's title");
}

#[tokio::test]
async fn publishing_scheduling_and_unpublishing_are_audited() {
    let app = TestApp::seeded(1).await;
    let ed = staff(&app, Role::Editor).await;
    let saved = save_article(&app.svc, &ed, form("Story")).await.unwrap();
    let mut f = form("Story");
    f.id = Some(saved.id);
    f.version = saved.version;
    f.intent = Intent::Publish;
    let p = save_article(&app.svc, &ed, f.clone()).await.unwrap();
    assert_eq!(p.status, ArticleStatus::Published);
    f.version = p.version;
    f.intent = Intent::Unpublish;
    let u = save_article(&app.svc, &ed, f.clone()).await.unwrap();
    assert_eq!(u.status, ArticleStatus::Draft);
    let a = app
        .svc
        .store
        .article_by_id(saved.id)
        .await
        .unwrap()
        .unwrap();
    assert!(a.published_at.is_some(), "kept, so readers get 410");
    f.version = u.version;
    f.intent = Intent::Schedule;
    f.publish_at = "2020-01-01T09:00".into();
    let e = save_article(&app.svc, &ed, f.clone()).await.unwrap_err();
    assert!(e.for_field("publish_at").is_some());
    let later = (app.svc.clock.now() + Duration::days(2)).with_timezone(&app.svc.config.tz);
    f.publish_at = later.format("%Y-%m-%dT%H:%M").to_string();
    let s = save_article(&app.svc, &ed, f).await.unwrap();
    assert_eq!(s.status, ArticleStatus::Scheduled);
    let (log, _) = app.svc.store.audit_log(10, 0).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["schedule", "unpublish", "publish", "create"]);
    assert!(log.iter().all(|e| e.actor_name == "Editor"));
}

#[tokio::test]
async fn contributors_write_drafts_but_cannot_publish() {
    let app = TestApp::seeded(1).await;
    let c = staff(&app, Role::Contributor).await;
    let ed = staff(&app, Role::Editor).await;
    let saved = save_article(&app.svc, &c, form("Draft")).await.unwrap();
    let mut f = form("Draft");
    f.id = Some(saved.id);
    f.version = saved.version;
    f.intent = Intent::Publish;
    assert_eq!(
        save_article(&app.svc, &c, f.clone()).await.unwrap_err(),
        AppError::Forbidden
    );
    // Once an editor publishes it, the contributor can no longer change it.
    let p = save_article(&app.svc, &ed, f.clone()).await.unwrap();
    f.version = p.version;
    f.intent = Intent::Save;
    assert_eq!(
        save_article(&app.svc, &c, f).await.unwrap_err(),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn revisions_diff_and_restore() {
    let app = TestApp::seeded(1).await;
    let ed = staff(&app, Role::Editor).await;
    let mut f = form("Version one");
    f.body = "line a\nline b\nline c".into();
    let v1 = save_article(&app.svc, &ed, f.clone()).await.unwrap();
    f.id = Some(v1.id);
    f.version = v1.version;
    f.title = "Version two".into();
    f.body = "line a\nline B\nline c".into();
    let v2 = save_article(&app.svc, &ed, f).await.unwrap();
    let revs = app.svc.store.revisions(v1.id).await.unwrap();
    assert_eq!(revs.len(), 2);
    let oldest = revs.last().unwrap().id;
    let page = revision_page(&app.svc, ed.clone(), v1.id, oldest)
        .await
        .unwrap();
    assert!(page.changes.iter().any(|c| c.field == "Headline"));
    assert!(page.body_diff.contains(&DiffLine::Removed("line b".into())));
    assert!(page.body_diff.contains(&DiffLine::Added("line B".into())));
    let r = restore_revision(&app.svc, &ed, v1.id, oldest, v2.version)
        .await
        .unwrap();
    assert_eq!(r.version, v2.version + 1);
    let a = app.svc.store.article_by_id(v1.id).await.unwrap().unwrap();
    assert_eq!(a.title, "Version one");
    assert_eq!(a.body_md, "line a\nline b\nline c");
}

#[test]
fn diffs_fold_unchanged_runs() {
    let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
    let new = old.replace("10\n", "ten\n");
    let d = diff_lines(&old, &new, 1);
    assert_eq!(
        d,
        vec![
            DiffLine::Skipped(8),
            DiffLine::Same("9".into()),
            DiffLine::Removed("10".into()),
            DiffLine::Added("ten".into()),
            DiffLine::Same("11".into()),
            DiffLine::Skipped(9),
        ]
    );
}

#[test]
fn tags_and_times_parse() {
    assert_eq!(
        parse_tags(" Ferries ,  ,Keeling Island").unwrap(),
        vec![
            ("ferries".to_owned(), "Ferries".to_owned()),
            ("keeling-island".to_owned(), "Keeling Island".to_owned())
        ]
    );
    assert!(parse_tags(&"x".repeat(41)).is_err());
    let t = parse_local_time("2026-07-01T10:30", chrono_tz::Europe::Dublin).unwrap();
    assert_eq!(t.to_rfc3339(), "2026-07-01T09:30:00+00:00");
    assert!(parse_local_time("tomorrow", chrono_tz::UTC).is_none());
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let app = TestApp::new().await;
    let admin = staff(&app, Role::Admin).await;
    let e = change_user(&app.svc, &admin, admin.user_id, Some(Role::Editor), None)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)));
    let ed = staff(&app, Role::Editor).await;
    change_user(&app.svc, &admin, ed.user_id, Some(Role::Admin), None)
        .await
        .unwrap();
    change_user(&app.svc, &admin, admin.user_id, Some(Role::Editor), None)
        .await
        .unwrap();
    let (log, _) = app.svc.store.audit_log(10, 0).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == AuditAction::RoleChange)
            .count(),
        2
    );
}
