use super::*;
use crate::testkit::TestApp;

#[tokio::test]
async fn passwords_hash_and_verify_off_the_runtime() {
    let h = hash_password("correct horse battery".into()).await.unwrap();
    assert!(h.starts_with("$argon2id$"));
    assert!(verify_password(h.clone(), "correct horse battery".into()).await);
    assert!(!verify_password(h, "wrong horse battery".into()).await);
    assert!(!verify_password("not a hash".into(), "x".into()).await);
}

#[tokio::test]
async fn sign_in_opens_a_fresh_session_each_time() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    create_user(
        svc,
        "Ed@Example.org",
        "Ed",
        Role::Editor,
        "a long enough password",
    )
    .await
    .unwrap();
    let a = sign_in(svc, "ed@example.org", "a long enough password", "1.1.1.1")
        .await
        .unwrap();
    let b = sign_in(svc, " ED@example.org ", "a long enough password", "1.1.1.1")
        .await
        .unwrap();
    assert_ne!(a.token, b.token);
    let v = viewer(svc, &a.token).await.unwrap().unwrap();
    assert_eq!(v.role, Role::Editor);
    sign_out(svc, &a.token).await.unwrap();
    assert!(viewer(svc, &a.token).await.unwrap().is_none());
    assert!(viewer(svc, &b.token).await.unwrap().is_some());
}

#[tokio::test]
async fn unknown_email_and_wrong_password_fail_alike() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    create_user(
        svc,
        "ed@example.org",
        "Ed",
        Role::Editor,
        "a long enough password",
    )
    .await
    .unwrap();
    let unknown = sign_in(svc, "nobody@example.org", "whatever it is", "2.2.2.2")
        .await
        .err()
        .unwrap();
    let wrong = sign_in(svc, "ed@example.org", "not the password", "2.2.2.2")
        .await
        .err()
        .unwrap();
    assert_eq!(unknown, wrong);
    assert_eq!(unknown.to_string(), SIGN_IN_FAILED);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account_and_per_ip() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    create_user(
        svc,
        "ed@example.org",
        "Ed",
        Role::Editor,
        "a long enough password",
    )
    .await
    .unwrap();
    for i in 0..MAX_FAILURES_PER_ACCOUNT {
        let ip = format!("10.0.0.{i}");
        assert!(sign_in(svc, "ed@example.org", "nope", &ip).await.is_err());
    }
    // Locked out even with the right password, from a fresh address.
    let locked = sign_in(svc, "ed@example.org", "a long enough password", "10.9.9.9")
        .await
        .err()
        .unwrap();
    assert_eq!(locked, AppError::RateLimited(SIGN_IN_LOCKED.into()));
    // After the window the account works again.
    svc.clock.advance(Duration::minutes(16));
    let app2 = TestApp::new().await;
    let svc2 = &app2.svc;
    for i in 0..MAX_FAILURES_PER_IP {
        let _ = sign_in(svc2, &format!("u{i}@example.org"), "nope", "10.1.1.1").await;
    }
    let by_ip = sign_in(svc2, "someone@example.org", "nope", "10.1.1.1")
        .await
        .err()
        .unwrap();
    assert_eq!(by_ip, AppError::RateLimited(SIGN_IN_LOCKED.into()));
}

#[tokio::test]
async fn deactivated_accounts_and_reset_passwords_end_sessions() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    let id = create_user(
        svc,
        "c@example.org",
        "C",
        Role::Contributor,
        "a long enough password",
    )
    .await
    .unwrap();
    let s = sign_in(svc, "c@example.org", "a long enough password", "ip")
        .await
        .unwrap();
    reset_password(svc, id, "another long password")
        .await
        .unwrap();
    assert!(viewer(svc, &s.token).await.unwrap().is_none());
    let s = sign_in(svc, "c@example.org", "another long password", "ip")
        .await
        .unwrap();
    svc.store.set_user_active(id, false).await.unwrap();
    assert!(viewer(svc, &s.token).await.unwrap().is_none());
    assert!(
        sign_in(svc, "c@example.org", "another long password", "ip")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn accounts_need_valid_fields_and_unique_emails() {
    let app = TestApp::new().await;
    let svc = &app.svc;
    let err = create_user(svc, "not-an-email", "", Role::Editor, "short")
        .await
        .err()
        .unwrap();
    for field in ["email", "name", "password"] {
        assert!(err.for_field(field).is_some(), "{field}: {err:?}");
    }
    create_user(
        svc,
        "a@example.org",
        "A",
        Role::Admin,
        "a long enough password",
    )
    .await
    .unwrap();
    let dup = create_user(
        svc,
        "A@EXAMPLE.org",
        "A2",
        Role::Editor,
        "a long enough password",
    )
    .await
    .err()
    .unwrap();
    assert!(dup.for_field("email").is_some());
}

#[test]
fn cookies_are_http_only_and_same_site() {
    let c = session_cookie("tok", true);
    for part in [
        "nr_session=tok",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
    ] {
        assert!(c.contains(part), "{c}");
    }
    assert!(!session_cookie("tok", false).contains("Secure"));
    assert!(clear_session_cookie(false).contains("Max-Age=0"));
}
