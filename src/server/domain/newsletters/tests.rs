use super::*;
use crate::model::{Role, SubscriptionState};
use crate::server::{email::INVALID_EMAIL, store::Listing};
use crate::{
    server::state::Clock,
    testkit::{SmtpSink, TestApp},
};
use std::collections::HashMap;

async fn app_with_sink(sink: &SmtpSink) -> TestApp {
    let extra = sink.config();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::with_config_and_clock(&extra, Clock::manual(chrono::Utc::now())).await
}

fn link_in(mail: &str, path: &str) -> String {
    // Links are in the plain-text part, one per line (quoted-printable may wrap HTML lines).
    let unfolded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unfolded
        .find(path)
        .unwrap_or_else(|| panic!("no {path} link in {unfolded}"));
    let rest = &unfolded[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .unwrap();
    let url = &rest[..end];
    url.split("token=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn double_opt_in_confirms_with_a_signed_link_and_never_duplicates() {
    let sink = SmtpSink::start(0);
    let app = app_with_sink(&sink).await;
    let svc = &app.svc;
    let msg = subscribe(
        svc,
        " Reader@Example.org ",
        &["morning-briefing".into()],
        "",
        "1.1.1.1",
    )
    .await
    .unwrap();
    assert_eq!(msg, SIGNUP_SUCCESS);
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].starts_with("X-Envelope-To: reader@example.org"));
    assert!(mails[0].contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let token = link_in(&mails[0], "/newsletters/confirm?token=");
    // Visiting the link only shows a page; the button press confirms.
    let page = confirm_page(svc, &token).await.unwrap();
    assert_eq!(page.newsletters, vec!["Morning Briefing".to_owned()]);
    assert_eq!(
        svc.store.confirmed_count("morning-briefing").await.unwrap(),
        0
    );
    confirm(svc, &token).await.unwrap();
    assert_eq!(
        svc.store.confirmed_count("morning-briefing").await.unwrap(),
        1
    );
    // Signing up again: the same answer, one record, and no new email for a confirmed list.
    let again = subscribe(
        svc,
        "reader@example.org",
        &["morning-briefing".into()],
        "",
        "1.1.1.1",
    )
    .await
    .unwrap();
    assert_eq!(again, msg);
    assert_eq!(sink.messages().len(), 1);
    let counts = svc.store.subscription_counts().await.unwrap();
    assert_eq!(
        counts,
        vec![(
            "morning-briefing".to_owned(),
            SubscriptionState::Confirmed,
            1
        )]
    );
    // Links expire.
    svc.clock.advance(Duration::hours(49));
    let expired = confirm_page(svc, &token).await.unwrap();
    assert!(expired.problem.is_some());
}

#[tokio::test]
async fn bad_addresses_honeypots_and_floods_store_nothing() {
    let sink = SmtpSink::start(0);
    let app = app_with_sink(&sink).await;
    let svc = &app.svc;
    let e = subscribe(svc, "not an email", &["morning-briefing".into()], "", "ip")
        .await
        .unwrap_err();
    assert_eq!(e.for_field("email").as_deref(), Some(INVALID_EMAIL));
    let e = subscribe(svc, "a@example.org", &["no-such-letter".into()], "", "ip")
        .await
        .unwrap_err();
    assert!(e.for_field("newsletters").is_some());
    let ok = subscribe(
        svc,
        "bot@example.org",
        &["morning-briefing".into()],
        "http://spam.example",
        "ip",
    )
    .await
    .unwrap();
    assert_eq!(ok, SIGNUP_SUCCESS, "bots get the same answer");
    assert!(svc.store.subscription_counts().await.unwrap().is_empty());
    assert!(sink.messages().is_empty());
    for _ in 0..crate::server::limits::SIGNUP_MAILBOX.max {
        subscribe(svc, "busy@example.org", &["tideline".into()], "", "2.2.2.2")
            .await
            .unwrap();
    }
    let limited = subscribe(svc, "busy@example.org", &["tideline".into()], "", "3.3.3.3")
        .await
        .unwrap_err();
    assert!(matches!(limited, AppError::RateLimited(_)));
}

#[tokio::test]
async fn unsubscribe_links_and_preferences_work_without_an_account() {
    let sink = SmtpSink::start(0);
    let app = app_with_sink(&sink).await;
    let svc = &app.svc;
    let (id, _) = svc
        .store
        .subscribe(
            "pat@example.org",
            &["morning-briefing".into(), "tideline".into()],
            svc.clock.now(),
        )
        .await
        .unwrap();
    svc.store
        .confirm(
            id,
            &["morning-briefing".into(), "tideline".into()],
            svc.clock.now(),
        )
        .await
        .unwrap();
    one_click(
        svc,
        &unsubscribe_token(svc, id, "pat@example.org", Some("tideline")),
    )
    .await
    .unwrap();
    let subs = svc.store.subscriptions_of(id).await.unwrap();
    assert_eq!(
        subs,
        vec![
            ("morning-briefing".into(), SubscriptionState::Confirmed),
            ("tideline".into(), SubscriptionState::Unsubscribed)
        ]
    );
    let token = preferences_token(svc, id, "pat@example.org");
    let page = preferences_page(svc, &token).await.unwrap();
    assert_eq!(page.email, "pat@example.org");
    assert!(
        page.rows
            .iter()
            .any(|r| r.newsletter.slug == "morning-briefing" && r.subscribed)
    );
    save_preferences(svc, &token, &["weekly-digest".into()])
        .await
        .unwrap();
    let subs: HashMap<_, _> = svc
        .store
        .subscriptions_of(id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(subs["weekly-digest"], SubscriptionState::Confirmed);
    assert_eq!(subs["morning-briefing"], SubscriptionState::Unsubscribed);
    unsubscribe_all(svc, &token).await.unwrap();
    assert!(
        svc.store
            .subscriptions_of(id)
            .await
            .unwrap()
            .iter()
            .all(|(_, s)| *s == SubscriptionState::Unsubscribed)
    );
    // A forged or reused-for-another-purpose token is refused.
    assert!(one_click(svc, &token).await.is_err());
    assert!(one_click(svc, "garbage").await.is_err());
}

#[tokio::test]
async fn an_issue_reaches_every_confirmed_subscriber_exactly_once_despite_temporary_failures() {
    // Every 7th message is refused with 451 and must be retried.
    let sink = SmtpSink::start(7);
    let app = app_with_sink(&sink).await;
    crate::server::seed::seed_with(
        &app.svc,
        &crate::server::seed::SeedOptions {
            image_width: 480,
            max_articles: 3,
            comments: false,
        },
    )
    .await
    .unwrap();
    let svc = &app.svc;
    for i in 0..40 {
        let (id, _) = svc
            .store
            .subscribe(
                &format!("r{i}@example.org"),
                &["weekly-digest".into()],
                svc.clock.now(),
            )
            .await
            .unwrap();
        svc.store
            .confirm(id, &["weekly-digest".into()], svc.clock.now())
            .await
            .unwrap();
    }
    // Not confirmed: must not receive it.
    svc.store
        .subscribe(
            "pending@example.org",
            &["weekly-digest".into()],
            svc.clock.now(),
        )
        .await
        .unwrap();
    let editor = app.staff(Role::Editor).await;
    let cards = svc.store.published(Listing::Latest, 2, 0).await.unwrap();
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let issue = save_issue(
        svc,
        &editor,
        None,
        "weekly-digest",
        "The week in Calloway",
        "Hello **readers**.",
        &ids,
    )
    .await
    .unwrap();
    assert_eq!(start_sending(svc, &editor, issue).await.unwrap(), 40);
    assert!(matches!(
        start_sending(svc, &editor, issue).await,
        Err(AppError::Conflict(_))
    ));
    for _ in 0..20 {
        send_due(&app.svc).await.unwrap();
        svc.clock.advance(Duration::minutes(10));
    }
    send_due(&app.svc).await.unwrap();
    let summary = svc
        .store
        .issues(5)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id == issue)
        .unwrap();
    assert_eq!((summary.total, summary.sent, summary.failed), (40, 40, 0));
    assert_eq!(summary.status, crate::model::IssueState::Sent);
    let mails = sink.messages();
    let mut per: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        let to = m
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("X-Envelope-To: ")
            .to_owned();
        *per.entry(to).or_default() += 1;
        assert!(m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(m.contains("Subject: The week in Calloway"));
    }
    assert_eq!(per.len(), 40);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
    assert!(!per.contains_key("pending@example.org"));
}

#[tokio::test]
async fn csv_exports_defuse_spreadsheet_formulas() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    svc.store
        .subscribe("=cmd@example.org", &["tideline".into()], svc.clock.now())
        .await
        .unwrap();
    let ed = app.staff(Role::Editor).await;
    let csv = export_csv(svc, &ed, "tideline").await.unwrap();
    assert!(csv.starts_with("email,status,signed_up,confirmed\r\n"));
    assert!(csv.contains("\"'=cmd@example.org\",\"pending\""), "{csv}");
    let c = app.staff(Role::Contributor).await;
    assert_eq!(
        export_csv(svc, &c, "tideline").await.unwrap_err(),
        AppError::Forbidden
    );
}
