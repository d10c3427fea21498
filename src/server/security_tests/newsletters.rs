//! Items 5 and 10 (newsletters): links made for one subscriber never act on another who later
//! gets the same id; unsubscribing during a send stops that send.

use crate::{
    model::Role,
    server::{
        newsletters::{
            confirm, expire_pending, one_click, preferences_page, save_issue, send_due,
            start_sending, subscribe,
        },
        state::Clock,
        store::Listing,
    },
    testkit::TestApp,
};
use chrono::Duration;

/// Every email in the file outbox, oldest first.
fn outbox(app: &TestApp) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(app.dir.path().join("outbox"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn token_in(mail: &str, path: &str) -> String {
    let unfolded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unfolded
        .find(path)
        .unwrap_or_else(|| panic!("no {path} in {unfolded}"));
    let rest = &unfolded[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .unwrap();
    rest[..end].split("token=").nth(1).unwrap().to_owned()
}

/// Item 5: an old preferences or unsubscribe link does nothing to the next subscriber who is
/// given the same id.
#[tokio::test]
async fn old_subscriber_links_do_not_act_on_a_new_subscriber() {
    let app = TestApp::with_config_and_clock(&[], Clock::manual(chrono::Utc::now())).await;
    let svc = &app.svc;
    subscribe(
        svc,
        "first@example.org",
        &["tideline".into()],
        "",
        "192.0.2.1",
    )
    .await
    .unwrap();
    let mail = outbox(&app).pop().unwrap();
    let preferences = token_in(&mail, "/newsletters/preferences?token=");
    let unsubscribe = token_in(&mail, "/newsletters/unsubscribe?token=");
    // Never confirmed: the sign-up expires and the row is deleted.
    svc.clock.advance(Duration::days(8));
    expire_pending(svc).await.unwrap();
    subscribe(
        svc,
        "second@example.org",
        &["tideline".into()],
        "",
        "192.0.2.2",
    )
    .await
    .unwrap();
    let second = outbox(&app).pop().unwrap();
    confirm(svc, &token_in(&second, "/newsletters/confirm?token="))
        .await
        .unwrap();
    assert_eq!(svc.store.confirmed_count("tideline").await.unwrap(), 1);

    let page = preferences_page(svc, &preferences).await;
    assert!(
        page.is_err(),
        "first's link opened {:?}",
        page.map(|p| p.email)
    );
    let _ = one_click(svc, &unsubscribe).await;
    assert_eq!(
        svc.store.confirmed_count("tideline").await.unwrap(),
        1,
        "first's unsubscribe link unsubscribed second"
    );
    // Second's own links work.
    let own = preferences_page(svc, &token_in(&second, "/newsletters/preferences?token="))
        .await
        .unwrap();
    assert_eq!(own.email, "second@example.org");
}

/// Item 10: a reader who unsubscribes while an issue is sending does not receive it.
#[tokio::test]
async fn unsubscribing_while_an_issue_sends_stops_it() {
    let app = TestApp::with_config_and_clock(&[], Clock::manual(chrono::Utc::now()))
        .await
        .with_articles(2)
        .await;
    let svc = &app.svc;
    for who in ["stays", "leaves"] {
        subscribe(
            svc,
            &format!("{who}@example.org"),
            &["weekly-digest".into()],
            "",
            "192.0.2.1",
        )
        .await
        .unwrap();
        let mail = outbox(&app).pop().unwrap();
        confirm(svc, &token_in(&mail, "/newsletters/confirm?token="))
            .await
            .unwrap();
    }
    let leaves_mail = outbox(&app).pop().unwrap();
    let leave = token_in(&leaves_mail, "/newsletters/unsubscribe?token=");
    let editor = app.staff(Role::Editor).await;
    let cards = svc.store.published(Listing::Latest, 1, 0).await.unwrap();
    let issue = save_issue(
        svc,
        &editor,
        None,
        "weekly-digest",
        "This week",
        "Hello.",
        &[cards[0].id],
    )
    .await
    .unwrap();
    assert_eq!(start_sending(svc, &editor, issue).await.unwrap(), 2);
    one_click(svc, &leave).await.unwrap();
    for _ in 0..5 {
        send_due(&app.svc).await.unwrap();
        svc.clock.advance(Duration::minutes(10));
    }
    let issues: Vec<String> = outbox(&app)
        .into_iter()
        .filter(|m| m.contains("Subject: This week"))
        .collect();
    assert_eq!(issues.len(), 1, "one copy, to the reader who stayed");
    assert!(issues[0].contains("stays@example.org"));
}
