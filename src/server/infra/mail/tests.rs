use super::*;
use crate::testkit::{SmtpSink, test_config};

fn mailer_for(sink: &SmtpSink) -> Mailer {
    let dir = tempfile::tempdir().unwrap();
    let extra: Vec<(&str, String)> = sink.config();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Mailer::new(test_config(dir.path(), &extra).mail)
}

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: "Confirm your subscription".into(),
        text: "Hello.\n.\nA line that is only a dot must survive.".into(),
        html: Some("<p>Hello</p>".into()),
        unsubscribe_url: Some("http://127.0.0.1:3000/newsletters/unsubscribe?token=abc".into()),
        list_id: Some("Morning Briefing <morning-briefing.ledger.example>".into()),
        message_id: Some("issue-1.sub-2@ledger.example".into()),
    }
}

#[tokio::test]
async fn transactional_mail_reaches_a_real_smtp_server_with_one_click_unsubscribe() {
    let sink = SmtpSink::start(0);
    mailer_for(&sink)
        .send(mail("reader@example.org"))
        .await
        .unwrap();
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(m.starts_with("X-Envelope-To: reader@example.org"));
    assert!(
        m.contains("List-Unsubscribe: <http://127.0.0.1:3000/newsletters/unsubscribe?token=abc>")
    );
    assert!(m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(m.contains("Message-ID: <issue-1.sub-2@ledger.example>"));
    assert!(m.contains("multipart/alternative"));
    assert!(
        m.contains("\r\n.\r\nA line that is only a dot") || m.contains("\n.\nA line"),
        "dot-stuffing round trip"
    );
}

#[tokio::test]
async fn a_failed_commit_means_the_server_never_accepts_the_message() {
    let sink = SmtpSink::start(0);
    let mailer = mailer_for(&sink);
    tokio::task::spawn_blocking(move || {
        let mut s = mailer.connect().unwrap();
        let (bytes, env) = mailer.build(&mail("a@example.org")).unwrap();
        let refused = s.send(&env, &bytes, || Err("database unavailable".into()));
        assert!(matches!(
            refused,
            Err(SendError {
                error: MailError::Uncommitted(_),
                committed: false
            })
        ));
        assert!(!s.is_usable());
        let mut s = mailer.connect().unwrap();
        let (bytes, env) = mailer.build(&mail("b@example.org")).unwrap();
        s.send(&env, &bytes, || Ok(())).unwrap();
        s.quit();
    })
    .await
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let got = sink.messages();
    assert_eq!(got.len(), 1, "only the committed message arrived");
    assert!(got[0].starts_with("X-Envelope-To: b@example.org"));
}

#[tokio::test]
async fn temporary_failures_are_reported_as_temporary() {
    let sink = SmtpSink::start(1);
    let err = mailer_for(&sink)
        .send(mail("c@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::Temporary(_)), "{err:?}");
}

#[tokio::test]
async fn the_file_transport_writes_eml_files() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mailer::new(test_config(dir.path(), &[]).mail);
    m.send(mail("d@example.org")).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
}
