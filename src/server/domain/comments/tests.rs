use super::body::{contains_word, count_links, render_body};
use super::*;
use crate::model::{
    Article, AuditAction, CommentMode, CommentSort, CommentStatus, CommentView, LiveKind,
    ModerationAction, ModerationTab, ReaderInfo, Role,
};
use crate::server::{readers::*, store::NewComment};
use crate::{
    server::{state::Clock, store::Listing},
    testkit::{SmtpSink, TestApp},
};
use chrono::Duration;

const IP: &str = "203.0.113.9";

async fn app() -> TestApp {
    TestApp::with_config_and_clock(&[], Clock::manual(chrono::Utc::now()))
        .await
        .with_articles(3)
        .await
}

async fn first_article(svc: &Services) -> Article {
    let cards = svc.store.published(Listing::Latest, 1, 0).await.unwrap();
    svc.store.article_by_id(cards[0].id).await.unwrap().unwrap()
}

/// A signed-in reader with a display name.
async fn reader(svc: &Services, email: &str, name: &str) -> ReaderInfo {
    let id = svc
        .store
        .ensure_reader(email, svc.clock.now())
        .await
        .unwrap();
    svc.store.set_display_name(id, name).await.unwrap();
    svc.store.reader(id).await.unwrap().unwrap()
}

/// A reader whose comments are published without waiting (past the new-commenter rule).
async fn trusted(app: &TestApp, email: &str, name: &str) -> ReaderInfo {
    let svc = &app.svc;
    let r = reader(svc, email, name).await;
    let a = first_article(svc).await;
    let editor = app.staff(Role::Editor).await;
    let Posted::Held(id) = post(svc, &r, a.id, None, &format!("Hello from {name}."), "", IP)
        .await
        .unwrap()
    else {
        panic!("a new commenter's first comment is held");
    };
    moderate(svc, &editor, id, ModerationAction::Approve)
        .await
        .unwrap();
    r
}

async fn events(svc: &Services, article_id: i64) -> Vec<(LiveKind, i64)> {
    svc.store
        .live_events_after(channel(article_id), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.target_id))
        .collect()
}

/// The sign-in token in an email (quoted-printable unfolded).
fn token_from(mail: &str) -> String {
    let unfolded = mail.replace("=\r\n", "").replace("=3D", "=");
    unfolded
        .split("/account/verify?token=")
        .nth(1)
        .expect("link in the mail")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn a_sign_in_link_only_ever_leads_back_to_this_site() {
    let sink = SmtpSink::start(0);
    let extra = sink.config();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::with_config(&extra).await;
    let cases = [
        ("/editor/evil.example", "/editor/evil.example"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
    ];
    for (i, (next, expected)) in cases.into_iter().enumerate() {
        send_sign_in_link(&app.svc, &format!("r{i}@example.org"), next, IP)
            .await
            .unwrap();
        let token = token_from(&sink.messages()[i]);
        let (_, _, went) = verify(&app.svc, &token).await.unwrap();
        assert_eq!(went, expected, "{next}");
    }
}

#[tokio::test]
async fn a_sign_in_link_arrives_by_smtp_works_once_and_expires() {
    let sink = SmtpSink::start(0);
    let extra = sink.config();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::with_config_and_clock(&extra, Clock::manual(chrono::Utc::now())).await;
    let svc = &app.svc;

    let bad = send_sign_in_link(svc, "not an address", "/", IP).await;
    assert!(matches!(bad, Err(AppError::Invalid(_))), "{bad:?}");
    assert!(sink.messages().is_empty());

    send_sign_in_link(svc, " Reader@Example.org ", "/politics/x#comments", IP)
        .await
        .unwrap();
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].starts_with("X-Envelope-To: reader@example.org"));
    let token = token_from(&mails[0]);

    let (session, who, next) = verify(svc, &token).await.unwrap();
    assert_eq!(who.email, "reader@example.org");
    assert_eq!(who.display_name, "");
    assert_eq!(next, "/politics/x#comments");
    assert_eq!(reader_for(svc, &session).await.unwrap().unwrap().id, who.id);
    // Single use.
    assert!(matches!(
        verify(svc, &token).await,
        Err(AppError::Invalid(_))
    ));

    // A second link expires after 30 minutes.
    send_sign_in_link(svc, "reader@example.org", "/", IP)
        .await
        .unwrap();
    let token2 = token_from(&sink.messages()[1]);
    svc.clock.advance(Duration::minutes(31));
    assert!(verify(svc, &token2).await.is_err());

    // Sign-out ends the session.
    sign_out(svc, &session).await.unwrap();
    assert!(reader_for(svc, &session).await.unwrap().is_none());

    // Requests for links are rate limited per address.
    for _ in 0..3 {
        send_sign_in_link(svc, "busy@example.org", "/", IP)
            .await
            .unwrap();
    }
    assert!(matches!(
        send_sign_in_link(svc, "busy@example.org", "/", IP).await,
        Err(AppError::RateLimited(_))
    ));
}

#[tokio::test]
async fn display_names_are_checked() {
    let app = app().await;
    let r = reader(&app.svc, "n@example.org", "").await;
    for bad in [
        "x",
        "see https://spam.example",
        "me@example.org",
        &"n".repeat(41),
    ] {
        assert!(set_name(&app.svc, &r, bad).await.is_err(), "{bad}");
    }
    set_name(&app.svc, &r, "  Ada   L. ").await.unwrap();
    assert_eq!(
        app.svc
            .store
            .reader(r.id)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Ada L."
    );
}

#[tokio::test]
async fn new_commenters_wait_for_a_moderator_then_are_trusted() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let r = reader(svc, "new@example.org", "Newcomer").await;
    let other = reader(svc, "other@example.org", "Other").await;
    let editor = app.staff(Role::Editor).await;

    let Posted::Held(first) = post(svc, &r, a.id, None, "My first comment.", "", IP)
        .await
        .unwrap()
    else {
        panic!("held");
    };
    // The author sees it (marked as waiting); others do not; nothing went live.
    let mine = section(svc, &a, Some(r.clone()), CommentSort::Oldest, 1)
        .await
        .unwrap();
    assert_eq!(mine.threads.len(), 1);
    assert_eq!(mine.threads[0].status, CommentStatus::Pending);
    let theirs = section(svc, &a, Some(other.clone()), CommentSort::Oldest, 1)
        .await
        .unwrap();
    assert!(theirs.threads.is_empty());
    assert_eq!(theirs.total, 0);
    assert!(events(svc, a.id).await.is_empty());
    let q = queue(svc, editor.clone(), ModerationTab::Pending)
        .await
        .unwrap();
    assert_eq!(q.items.len(), 1);
    assert_eq!(q.items[0].held_reason, "new commenter");

    // Approval publishes it live and makes the author trusted.
    moderate(svc, &editor, first, ModerationAction::Approve)
        .await
        .unwrap();
    assert_eq!(events(svc, a.id).await, vec![(LiveKind::Upsert, first)]);
    let theirs = section(svc, &a, Some(other.clone()), CommentSort::Oldest, 1)
        .await
        .unwrap();
    assert_eq!(theirs.total, 1);
    assert!(matches!(
        post(
            svc,
            &r,
            a.id,
            Some(first),
            "A reply, straight away.",
            "",
            IP
        )
        .await
        .unwrap(),
        Posted::Published(_)
    ));
    // The approval is in the audit log.
    let (log, _) = svc.store.audit_log(50, 0).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == AuditAction::CommentApprove && e.target_id == Some(first))
    );
}

#[tokio::test]
async fn pre_moderated_and_closed_articles() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let r = trusted(&app, "t@example.org", "Trusted").await;
    let editor = app.staff(Role::Editor).await;
    let writer = app.staff(Role::Contributor).await;

    assert!(matches!(
        set_mode(svc, &writer, a.id, Some(CommentMode::Premoderated)).await,
        Err(AppError::Forbidden)
    ));
    set_mode(svc, &editor, a.id, Some(CommentMode::Premoderated))
        .await
        .unwrap();
    let posted = post(
        svc,
        &r,
        a.id,
        None,
        "Even trusted readers wait here.",
        "",
        IP,
    )
    .await
    .unwrap();
    assert!(matches!(posted, Posted::Held(_)), "{posted:?}");

    set_mode(svc, &editor, a.id, Some(CommentMode::Closed))
        .await
        .unwrap();
    let closed = post(svc, &r, a.id, None, "Anyone there?", "", IP).await;
    assert!(matches!(closed, Err(AppError::Conflict(_))), "{closed:?}");

    set_mode(svc, &editor, a.id, None).await.unwrap();
    assert_eq!(mode_of(svc, &a).await.unwrap(), CommentMode::Open);
}

#[tokio::test]
async fn the_rules_refuse_or_hold_what_they_should() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let r = trusted(&app, "rules@example.org", "Rules").await;

    // Banned words: refused with a clear message, nothing stored.
    let before = svc.store.queue_counts().await.unwrap();
    let err = post(svc, &r, a.id, None, "You absolute SCUMBAG.", "", IP)
        .await
        .unwrap_err();
    let message = err
        .for_field("body")
        .expect("a message on the comment field");
    assert!(message.contains("language we do not allow"), "{message}");
    // A banned word inside a longer word is fine.
    assert!(!contains_word("scumbaggery", &["scumbag".into()]));
    assert_eq!(svc.store.queue_counts().await.unwrap(), before);

    // Too many links, suspect words: held.
    let links = "See https://a.example and https://b.example and https://c.example";
    assert!(matches!(
        post(svc, &r, a.id, None, links, "", IP).await.unwrap(),
        Posted::Held(_)
    ));
    assert!(matches!(
        post(svc, &r, a.id, None, "Free CASINO chips!", "", IP)
            .await
            .unwrap(),
        Posted::Held(_)
    ));

    // The same text twice: refused.
    post(svc, &r, a.id, None, "Once is enough.", "", IP)
        .await
        .unwrap();
    let dup = post(svc, &r, a.id, None, "once is enough.", "", IP)
        .await
        .unwrap_err();
    assert!(matches!(dup, AppError::Invalid(_)), "{dup:?}");

    // Length limits.
    let long = "x".repeat(svc.config.comments.max_length + 1);
    assert!(post(svc, &r, a.id, None, &long, "", IP).await.is_err());
    assert!(post(svc, &r, a.id, None, " ", "", IP).await.is_err());

    // The honeypot: quietly ignored.
    let (pending, _) = svc.store.queue_counts().await.unwrap();
    assert_eq!(
        post(svc, &r, a.id, None, "I am a bot.", "http://bot.example", IP)
            .await
            .unwrap(),
        Posted::Ignored
    );
    assert_eq!(svc.store.queue_counts().await.unwrap().0, pending);

    // Per-reader rate limit: 5 in ten minutes.
    let mut limited = false;
    for i in 0..8 {
        if let Err(AppError::RateLimited(_)) =
            post(svc, &r, a.id, None, &format!("Thought number {i}."), "", IP).await
        {
            limited = true;
            break;
        }
    }
    assert!(limited, "the reader was never slowed down");

    // A reader without a name, or a banned one, cannot post.
    let nameless = reader(svc, "nameless@example.org", "").await;
    assert!(
        post(svc, &nameless, a.id, None, "Who am I?", "", IP)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_ip_rate_limit_spans_readers() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let mut limited = false;
    for i in 0..25 {
        let r = reader(svc, &format!("r{i}@example.org"), &format!("Reader {i}")).await;
        if let Err(AppError::RateLimited(_)) =
            post(svc, &r, a.id, None, "Same network.", "", "198.51.100.1").await
        {
            assert!(i >= 20, "limited too early, at {i}");
            limited = true;
            break;
        }
    }
    assert!(limited);
}

#[tokio::test]
async fn threads_nest_to_the_depth_limit_and_count_replies() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let r = trusted(&app, "deep@example.org", "Deep").await;
    let max = svc.config.comments.max_depth;
    let Posted::Published(root) = post(svc, &r, a.id, None, "Root.", "", IP).await.unwrap() else {
        panic!()
    };
    let mut parent = root;
    let mut ids = vec![root];
    for level in 1..=max + 2 {
        // Stay under the per-reader rate limit.
        svc.clock.advance(Duration::minutes(10));
        let Posted::Published(id) = post(
            svc,
            &r,
            a.id,
            Some(parent),
            &format!("Level {level}."),
            "",
            IP,
        )
        .await
        .unwrap() else {
            panic!()
        };
        ids.push(id);
        parent = id;
    }
    for (i, id) in ids.iter().enumerate() {
        let c = svc.store.comment(*id).await.unwrap().unwrap();
        assert_eq!(c.depth, (i as i64).min(max), "comment {i}");
        assert_eq!(c.root_id, root);
    }
    let s = section(svc, &a, None, CommentSort::Oldest, 1)
        .await
        .unwrap();
    let thread = s.threads.iter().find(|t| t.id == root).unwrap();
    assert_eq!(thread.reply_count, max + 2);
    // Walk down the nested replies: depth stops at the limit, the extra ones are siblings.
    let mut node = thread;
    for _ in 0..max - 1 {
        assert_eq!(node.replies.len(), 1);
        node = &node.replies[0];
    }
    assert_eq!(
        node.replies.len(),
        3,
        "replies past the limit attach at the deepest level"
    );

    // A reply to a comment on another article is refused.
    let other = svc.store.published(Listing::Latest, 2, 0).await.unwrap()[1].id;
    assert!(
        post(svc, &r, other, Some(root), "Wrong thread.", "", IP)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn sorting_and_pagination() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let r = trusted(&app, "s@example.org", "Sorter").await;
    let editor = app.staff(Role::Editor).await;
    let mut ids = Vec::new();
    let base = svc.clock.now();
    for i in 0..(PER_PAGE + 5) {
        svc.clock.advance(Duration::seconds(1));
        let id = svc
            .store
            .add_comment(
                &NewComment {
                    article_id: a.id,
                    parent_id: None,
                    reader_id: r.id,
                    body: format!("Comment {i}"),
                    body_hash: format!("h{i}"),
                    status: CommentStatus::Approved,
                    held_reason: String::new(),
                    ip_hash: String::new(),
                },
                3,
                svc.clock.now(),
            )
            .await
            .unwrap();
        ids.push(id);
    }
    assert!(svc.clock.now() > base);
    // The most replied-to: the tenth.
    post(svc, &r, a.id, Some(ids[10]), "A reply.", "", IP)
        .await
        .unwrap();
    let oldest = section(svc, &a, None, CommentSort::Oldest, 1)
        .await
        .unwrap();
    // The trusted() greeting comment is the oldest of all.
    assert_eq!(oldest.threads.len(), PER_PAGE as usize);
    assert_eq!(oldest.pages, 2);
    assert_eq!(oldest.threads[1].id, ids[0]);
    let page2 = section(svc, &a, None, CommentSort::Oldest, 2)
        .await
        .unwrap();
    assert_eq!(page2.threads.len(), 6);
    assert_eq!(page2.threads.last().unwrap().id, *ids.last().unwrap());
    let newest = section(svc, &a, None, CommentSort::Newest, 1)
        .await
        .unwrap();
    assert_eq!(newest.threads[0].id, *ids.last().unwrap());
    let replied = section(svc, &a, None, CommentSort::Replies, 1)
        .await
        .unwrap();
    assert_eq!(replied.threads[0].id, ids[10]);
    // Staff picks come first in every order.
    moderate(svc, &editor, ids[3], ModerationAction::Feature)
        .await
        .unwrap();
    let newest = section(svc, &a, None, CommentSort::Newest, 1)
        .await
        .unwrap();
    assert_eq!(newest.threads[0].id, ids[3]);
    assert!(newest.threads[0].featured);
    // Unknown sorts never reach the domain: parsing refuses them.
    assert!("'; DROP".parse::<CommentSort>().is_err());
    // Article cards count approved comments.
    let cards = svc.store.published(Listing::Latest, 5, 0).await.unwrap();
    let card = cards.iter().find(|c| c.id == a.id).unwrap();
    assert_eq!(card.comment_count, PER_PAGE as i64 + 5 + 2);
}

#[tokio::test]
async fn authors_edit_briefly_and_delete_their_own_comments_only() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let r = trusted(&app, "e@example.org", "Editor Of Self").await;
    let mallory = reader(svc, "m@example.org", "Mallory").await;
    let Posted::Published(id) = post(svc, &r, a.id, None, "Teh typo.", "", IP)
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(matches!(
        edit(svc, &mallory, id, "Hijacked.", IP).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        delete(svc, &mallory, id).await,
        Err(AppError::Forbidden)
    ));
    assert!(edit(svc, &r, id, "Hi, you scumbag", IP).await.is_err());
    edit(svc, &r, id, "The typo, fixed.", IP).await.unwrap();
    let c = svc.store.comment(id).await.unwrap().unwrap();
    assert_eq!(c.body, "The typo, fixed.");
    assert!(c.edited_at.is_some());
    let view = section(svc, &a, Some(r.clone()), CommentSort::Newest, 1)
        .await
        .unwrap();
    let mine = view.threads.iter().find(|t| t.id == id).unwrap();
    assert!(mine.mine && mine.editable && mine.edited);

    svc.clock.advance(Duration::minutes(
        svc.config.comments.edit_window_minutes + 1,
    ));
    assert!(matches!(
        edit(svc, &r, id, "Too late.", IP).await,
        Err(AppError::Conflict(_))
    ));
    let view = section(svc, &a, Some(r.clone()), CommentSort::Newest, 1)
        .await
        .unwrap();
    assert!(!view.threads.iter().find(|t| t.id == id).unwrap().editable);

    delete(svc, &r, id).await.unwrap();
    let after = section(svc, &a, None, CommentSort::Newest, 1)
        .await
        .unwrap();
    assert!(after.threads.iter().all(|t| t.id != id));
    let ev = events(svc, a.id).await;
    assert_eq!(ev.last().unwrap(), &(LiveKind::Delete, id));
}

#[tokio::test]
async fn reports_reach_the_queue_and_moderators_act_on_them() {
    let app = app().await;
    let svc = &app.svc;
    let a = first_article(svc).await;
    let troll = trusted(&app, "troll@example.org", "Troll").await;
    let editor = app.staff(Role::Editor).await;
    let writer = app.staff(Role::Contributor).await;
    let Posted::Published(id) = post(svc, &troll, a.id, None, "Off topic rant.", "", IP)
        .await
        .unwrap()
    else {
        panic!()
    };
    let Posted::Published(kept) = post(svc, &troll, a.id, None, "A fair point.", "", IP)
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(report(svc, None, IP, id, "because").await.is_err());
    report(svc, None, IP, id, "off-topic").await.unwrap();
    // The same reporter twice counts once.
    report(svc, None, IP, id, "abuse").await.unwrap();
    report(svc, None, IP, kept, "spam").await.unwrap();
    let q = queue(svc, editor.clone(), ModerationTab::Reported)
        .await
        .unwrap();
    assert_eq!(q.reported, 2);
    let item = q.items.iter().find(|i| i.id == id).unwrap();
    assert_eq!(item.reports.len(), 1);

    // Writers cannot moderate.
    assert!(matches!(
        queue(svc, writer.clone(), ModerationTab::Pending).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        moderate(svc, &writer, id, ModerationAction::Approve).await,
        Err(AppError::Forbidden)
    ));
    assert!("burn".parse::<ModerationAction>().is_err());

    moderate(svc, &editor, kept, ModerationAction::Dismiss)
        .await
        .unwrap();
    moderate(svc, &editor, id, ModerationAction::Ban)
        .await
        .unwrap();
    assert!(svc.store.reader(troll.id).await.unwrap().unwrap().banned);
    assert_eq!(
        svc.store.comment(id).await.unwrap().unwrap().status,
        CommentStatus::Rejected
    );
    assert_eq!(
        svc.store.comment(kept).await.unwrap().unwrap().status,
        CommentStatus::Approved
    );
    assert_eq!(
        queue(svc, editor.clone(), ModerationTab::Reported)
            .await
            .unwrap()
            .reported,
        0
    );
    assert_eq!(
        events(svc, a.id).await.last().unwrap(),
        &(LiveKind::Delete, id)
    );
    // Banned readers cannot post, nor sign in again.
    assert!(matches!(
        post(svc, &troll, a.id, None, "Let me back in.", "", IP).await,
        Err(AppError::Forbidden)
    ));
    let (log, _) = svc.store.audit_log(50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == AuditAction::CommentBan));
    assert!(log.iter().any(|e| e.action == AuditAction::CommentDismiss));
}

#[test]
fn bodies_render_as_escaped_text_with_links() {
    let html = render_body(
        "<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n\nSee https://example.org/a?b=1&c=\"2\".",
    );
    assert_eq!(
        html,
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;img src=x onerror=alert(2)&gt;</p>\
         <p>See <a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\" rel=\"nofollow ugc noopener noreferrer\">\
         https://example.org/a?b=1&amp;c=&quot;2&quot;</a>.</p>"
    );
    // javascript: and other schemes never become links.
    assert!(!render_body("javascript:alert(1)").contains("<a"));
    assert_eq!(
        count_links("a https://x.example www.y.example http://z.example"),
        3
    );
}

#[tokio::test]
async fn over_http_scripts_are_inert_and_cross_site_posts_change_nothing() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "html@example.org", "Hopeful Hacker").await;
    let token = crate::server::crypto::random_token();
    let now = svc.clock.now();
    svc.store
        .create_reader_session(
            &crate::server::crypto::sha256_hex(&token),
            r.id,
            now,
            now + reader_session_ttl(),
        )
        .await
        .unwrap();
    let cookie = format!("{}={token}", crate::server::cookies::READER_COOKIE);
    let a = first_article(svc).await;
    let path = crate::model::article_path(&a.section.slug, &a.slug);
    let payload = "<script>alert(1)</script> and <img src=x onerror=alert(2)>";
    let form = format!(
        "article_id={}&form=comment-new&website=&body={}",
        a.id,
        crate::testkit::form_value(payload)
    );

    // Without a reader session: refused, nothing stored.
    let anon = app.post_form("/api/comments/post", &form, &[]).await;
    assert_eq!(
        anon.status,
        axum::http::StatusCode::UNAUTHORIZED,
        "{}",
        anon.body
    );
    // From another site, even with the reader's cookie: refused, nothing stored.
    let forged = app
        .post_form(
            "/api/comments/post",
            &form,
            &[
                ("cookie", &cookie),
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(forged.status, axum::http::StatusCode::FORBIDDEN);
    let page = app.get(&path).await.body;
    assert!(!page.contains("onerror=alert"), "nothing was posted yet");

    let ok = app
        .post_form("/api/comments/post", &form, &[("cookie", &cookie)])
        .await;
    assert_eq!(ok.status, axum::http::StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("published"), "{}", ok.body);

    let page = app.get(&path).await.body;
    assert!(
        page.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(2)&gt;"
        ),
        "the payload is shown as text"
    );
    assert!(!page.contains("<script>alert(1)"));
    assert!(!page.contains("<img src=x"));
}

#[tokio::test]
async fn approved_comments_are_pushed_as_rendered_html_with_plain_forms() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "live@example.org", "Lively Reader").await;
    let a = first_article(svc).await;
    let Posted::Published(parent) = post(svc, &r, a.id, None, "First <b>thoughts</b>.", "", IP)
        .await
        .unwrap()
    else {
        panic!("a trusted reader's comment is published");
    };
    post(svc, &r, a.id, Some(parent), "And a reply.", "", IP)
        .await
        .unwrap();
    let records = svc
        .store
        .live_events_after(channel(a.id), 0, 100)
        .await
        .unwrap();
    let mut seen = Vec::new();
    for rec in &records {
        let ev = crate::server::live::render_event(svc, rec).await;
        let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
        seen.push((
            ev.kind,
            data["item"].as_i64().unwrap(),
            data["parent"].as_i64(),
        ));
        let html = data["html"].as_str().unwrap();
        assert!(html.contains("Lively Reader"), "{html}");
        // No island markup: the page's live list enhances these forms itself.
        assert!(!html.contains("<leptos-island"), "{html}");
        assert!(html.contains("action=\"/api/comments/post\""), "{html}");
        assert!(html.contains("action=\"/api/comments/report\""), "{html}");
    }
    let last_two = &seen[seen.len() - 2..];
    assert_eq!(last_two[0].0, LiveKind::Upsert);
    assert_eq!(last_two[0].1, parent);
    assert_eq!(last_two[1].2, Some(parent), "the reply names its parent");
    let ev = crate::server::live::render_event(svc, records.last().unwrap()).await;
    assert!(ev.data.contains("And a reply."));
    let first = records.iter().find(|r| r.target_id == parent).unwrap();
    let ev = crate::server::live::render_event(svc, first).await;
    assert!(
        ev.data.contains("&lt;b&gt;thoughts&lt;/b&gt;"),
        "escaped: {}",
        ev.data
    );

    // A rejected comment is pushed as a removal.
    let editor = app.staff(Role::Editor).await;
    moderate(svc, &editor, parent, ModerationAction::Reject)
        .await
        .unwrap();
    let ev = crate::server::live::render_event(svc, first).await;
    assert_eq!(ev.kind, LiveKind::Delete);
}

#[tokio::test]
async fn long_threads_show_their_first_replies_and_open_on_their_own() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "thread@example.org", "Thread Starter").await;
    let a = first_article(svc).await;
    let Posted::Published(root) = post(svc, &r, a.id, None, "Who else is going?", "", IP)
        .await
        .unwrap()
    else {
        panic!("published");
    };
    let mut replies = Vec::new();
    for i in 0..(REPLIES_SHOWN as usize + 3) {
        // Every reply answers the one before, so the thread is also deep.
        svc.clock.advance(Duration::minutes(3));
        let parent = replies.last().copied().unwrap_or(root);
        let Posted::Published(id) = post(
            svc,
            &r,
            a.id,
            Some(parent),
            &format!("Reply number {i}."),
            "",
            IP,
        )
        .await
        .unwrap() else {
            panic!("published");
        };
        replies.push(id);
    }
    fn count(v: &CommentView) -> usize {
        v.replies.iter().map(|r| 1 + count(r)).sum()
    }
    let list = section(svc, &a, None, CommentSort::Newest, 1)
        .await
        .unwrap();
    let t = list.threads.iter().find(|t| t.id == root).unwrap();
    assert_eq!(count(t), REPLIES_SHOWN as usize, "the first replies only");
    assert_eq!(t.more_replies, 3);
    assert_eq!(t.reply_count, REPLIES_SHOWN as i64 + 3);

    let whole = thread(svc, &a, None, root, 1).await.unwrap().unwrap();
    assert_eq!(whole.thread, Some(root));
    assert_eq!(whole.threads.len(), 1);
    assert_eq!(count(&whole.threads[0]), replies.len());
    assert_eq!(whole.threads[0].more_replies, 0);
    assert_eq!(whole.pages, 1);
    // Replies beyond the depth limit hang under the deepest allowed comment.
    assert_eq!(
        whole.threads[0].replies[0].replies[0].replies.len(),
        replies.len() - 2
    );

    // Only a visible top-level comment of this article opens as a thread.
    assert!(
        thread(svc, &a, None, replies[0], 1)
            .await
            .unwrap()
            .is_none()
    );
    assert!(thread(svc, &a, None, 999_999, 1).await.unwrap().is_none());
    let cards = svc.store.published(Listing::Latest, 5, 0).await.unwrap();
    let other = svc
        .store
        .article_by_id(cards.iter().find(|c| c.id != a.id).unwrap().id)
        .await
        .unwrap()
        .unwrap();
    assert!(thread(svc, &other, None, root, 1).await.unwrap().is_none());

    // Over HTTP: the list links to the thread, which shows every reply and a way back.
    let path = crate::model::article_path(&a.section.slug, &a.slug);
    let page = app.get(&path).await.body;
    let link = format!("{path}?thread={root}#comment-{root}");
    assert!(
        page.contains(&link.replace('&', "&amp;")) || page.contains(&link),
        "{link}"
    );
    assert!(page.contains(&format!("Show all {} replies", replies.len())));
    assert!(!page.contains("Reply number 7."));
    let page = app.get(&format!("{path}?thread={root}")).await.body;
    assert!(page.contains("Reply number 7."));
    assert!(page.contains("← All comments"));
    // A bogus thread id shows the ordinary list.
    let page = app.get(&format!("{path}?thread=abc")).await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
}

#[tokio::test]
async fn the_reader_account_leads_to_the_same_persons_newsletter_preferences() {
    let app = app().await;
    let svc = &app.svc;
    let r = reader(svc, "both@example.org", "Both Ways").await;
    // Not a subscriber: no preferences link.
    assert_eq!(
        account_page(svc, Some(r.clone()))
            .await
            .unwrap()
            .newsletter_preferences,
        None
    );

    let slug = svc.site.newsletters[0].slug.clone();
    let now = svc.clock.now();
    let (id, _) = svc
        .store
        .subscribe("both@example.org", std::slice::from_ref(&slug), now)
        .await
        .unwrap();
    svc.store.confirm(id, &[slug], now).await.unwrap();
    let link = account_page(svc, Some(r))
        .await
        .unwrap()
        .newsletter_preferences
        .unwrap();
    let token = link
        .strip_prefix("/newsletters/preferences?token=")
        .unwrap();
    let prefs = crate::server::newsletters::preferences_page(svc, token)
        .await
        .unwrap();
    assert_eq!(prefs.email, "both@example.org");
    assert!(prefs.rows.iter().any(|row| row.subscribed), "{prefs:?}");
    // Nobody signed in: nothing personal.
    assert_eq!(
        account_page(svc, None)
            .await
            .unwrap()
            .newsletter_preferences,
        None
    );
}

/// An edit that arrives after a moderator rejected the comment (or its author deleted it)
/// must not bring it back: the unit of work checks the state it writes over.
#[tokio::test]
async fn an_edit_never_revives_a_rejected_or_deleted_comment() {
    let app = app().await;
    let svc = &app.svc;
    let r = trusted(&app, "late@example.org", "Late Editor").await;
    let a = first_article(svc).await;
    let editor = app.staff(Role::Editor).await;
    let Posted::Published(id) = post(svc, &r, a.id, None, "First version.", "", IP)
        .await
        .unwrap()
    else {
        panic!("a trusted reader's comment is published");
    };
    moderate(svc, &editor, id, ModerationAction::Reject)
        .await
        .unwrap();
    // The store refuses to edit over a rejected comment, even when asked directly.
    let tx = svc.store.begin().await.unwrap();
    let before = tx
        .edit_comment(
            id,
            "Sneaky.",
            "h",
            (CommentStatus::Approved, ""),
            svc.clock.now(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(before.is_none());
    let c = svc.store.comment(id).await.unwrap().unwrap();
    assert_eq!(c.status, CommentStatus::Rejected);
    assert_eq!(c.body, "First version.");
    assert!(matches!(
        edit(svc, &r, id, "Second version.", IP).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        events(svc, a.id).await.last().unwrap(),
        &(LiveKind::Delete, id)
    );
}
