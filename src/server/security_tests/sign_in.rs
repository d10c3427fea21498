//! Items 1, 2 and 7: staff sign-in under password spraying, open redirects through `next=`,
//! and the client address the limits are keyed by.

use super::{cookie_from, post_from};
use crate::{model::Role, server::auth, testkit::TestApp};
use axum::http::StatusCode;

const EMAIL: &str = "chief@example.org";
const PASSWORD: &str = "the chief's long passphrase";

async fn app_with_chief(extra: &[(&str, &str)]) -> TestApp {
    let app = TestApp::with_config(extra).await;
    auth::create_user(&app.svc, EMAIL, "Chief", Role::Admin, PASSWORD)
        .await
        .unwrap();
    app
}

fn sign_in_body(email: &str, password: &str, next: Option<&str>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("email", email)
        .append_pair("password", password);
    if let Some(n) = next {
        s.append_pair("next", n);
    }
    s.finish()
}

/// Item 1: 300 concurrent wrong passwords for one account. At most the account's allowance is
/// hashed; the rest are refused at once with 429 and `Retry-After`; the real staff member,
/// on a device they signed in from before, still gets in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_passwords_are_refused_before_hashing() {
    let app = std::sync::Arc::new(app_with_chief(&[]).await);
    // The chief signed in from this laptop yesterday.
    let ok = post_from(
        &app,
        "198.51.100.7",
        "/api/account/sign-in",
        &sign_in_body(EMAIL, PASSWORD, None),
        &[],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let device = cookie_from(&ok, "nr_device");

    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let res = post_from(
                &app,
                "203.0.113.66",
                "/api/account/sign-in",
                &sign_in_body(EMAIL, &format!("guess {i}"), None),
                &[],
            )
            .await;
            (res.status, res.header("retry-after").map(str::to_owned))
        }));
    }
    let mut refused = 0;
    let mut hashed_or_wrong = 0;
    for t in tasks {
        let (status, retry) = t.await.unwrap();
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                refused += 1;
                let secs: u64 = retry
                    .expect("429 carries Retry-After")
                    .parse()
                    .expect("seconds");
                assert!(secs > 0 && secs <= 15 * 60, "{secs}");
            }
            StatusCode::UNPROCESSABLE_ENTITY => hashed_or_wrong += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        hashed_or_wrong <= auth::MAX_FAILURES_PER_ACCOUNT as usize,
        "{hashed_or_wrong} wrong guesses were checked, {refused} refused"
    );
    assert_eq!(refused + hashed_or_wrong, 300);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    // The chief, from the known device (and the same network the attack came from).
    let mut headers = vec![];
    let cookie;
    if let Some(d) = &device {
        cookie = d.clone();
        headers.push(("cookie", cookie.as_str()));
    }
    let again = post_from(
        &app,
        "203.0.113.66",
        "/api/account/sign-in",
        &sign_in_body(EMAIL, PASSWORD, None),
        &headers,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
}

/// Item 7: a stranger's failures lock out neither a known device nor, after an admin resets
/// the password, a new one.
#[tokio::test]
async fn a_stranger_cannot_lock_a_staff_member_out() {
    let app = app_with_chief(&[]).await;
    let ok = post_from(
        &app,
        "198.51.100.7",
        "/api/account/sign-in",
        &sign_in_body(EMAIL, PASSWORD, None),
        &[],
    )
    .await;
    let device = cookie_from(&ok, "nr_device").unwrap_or_default();
    for i in 0..(auth::MAX_FAILURES_PER_ACCOUNT + 3) {
        post_from(
            &app,
            &format!("192.0.2.{}", i + 1),
            "/api/account/sign-in",
            &sign_in_body(EMAIL, "wrong", None),
            &[],
        )
        .await;
    }
    let known = post_from(
        &app,
        "198.51.100.7",
        "/api/account/sign-in",
        &sign_in_body(EMAIL, PASSWORD, None),
        &[("cookie", &device)],
    )
    .await;
    assert_eq!(known.status, StatusCode::OK, "known device: {}", known.body);

    // A new laptop is locked out until an admin resets the password.
    let new_laptop = post_from(
        &app,
        "198.51.100.99",
        "/api/account/sign-in",
        &sign_in_body(EMAIL, PASSWORD, None),
        &[],
    )
    .await;
    assert_eq!(new_laptop.status, StatusCode::TOO_MANY_REQUESTS);
    let user = app.svc.store.user_by_email(EMAIL).await.unwrap().unwrap();
    auth::reset_password(&app.svc, user.id, "a brand new passphrase")
        .await
        .unwrap();
    let after_reset = post_from(
        &app,
        "198.51.100.99",
        "/api/account/sign-in",
        &sign_in_body(EMAIL, "a brand new passphrase", None),
        &[],
    )
    .await;
    assert_eq!(after_reset.status, StatusCode::OK, "{}", after_reset.body);
}

/// Item 7: one IPv6 /64 is one network, however many addresses it uses.
#[tokio::test]
async fn an_ipv6_network_is_limited_as_one_client() {
    let app = app_with_chief(&[]).await;
    let mut last = StatusCode::OK;
    for i in 0..=auth::MAX_FAILURES_PER_IP {
        let res = post_from(
            &app,
            &format!("2001:db8:1:2::{:x}", i + 1),
            "/api/account/sign-in",
            &sign_in_body(&format!("nobody{i}@example.org"), "wrong", None),
            &[],
        )
        .await;
        last = res.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Another /64 is another client.
    let other = post_from(
        &app,
        "2001:db8:1:3::1",
        "/api/account/sign-in",
        &sign_in_body("someone@example.org", "wrong", None),
        &[],
    )
    .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Item 7: behind a trusted proxy the client is the first untrusted hop from the right; the
/// values a client writes into `X-Forwarded-For` itself change nothing.
#[tokio::test]
async fn forged_forwarded_for_values_do_not_make_new_clients() {
    let app = app_with_chief(&[("NEWSROOM__SECURITY__TRUSTED_PROXIES", "[\"10.0.0.0/8\"]")]).await;
    let mut last = StatusCode::OK;
    for i in 0..=auth::MAX_FAILURES_PER_IP {
        // The attacker at 203.0.113.5 sends a made-up X-Forwarded-For; the proxy appends.
        let xff = format!("192.0.2.{}, 203.0.113.5", i + 1);
        let res = post_from(
            &app,
            "10.1.2.3",
            "/api/account/sign-in",
            &sign_in_body(&format!("nobody{i}@example.org"), "wrong", None),
            &[("x-forwarded-for", &xff)],
        )
        .await;
        last = res.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// Item 7: by default no forwarded header is trusted, even from a private address.
#[tokio::test]
async fn forwarded_headers_are_ignored_unless_the_proxy_is_trusted() {
    let app = app_with_chief(&[]).await;
    let mut last = StatusCode::OK;
    for i in 0..=auth::MAX_FAILURES_PER_IP {
        let res = post_from(
            &app,
            "10.1.2.3",
            "/api/account/sign-in",
            &sign_in_body(&format!("nobody{i}@example.org"), "wrong", None),
            &[("x-forwarded-for", &format!("192.0.2.{}", i + 1))],
        )
        .await;
        last = res.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// Known open-redirect payloads for `next=`.
pub const REDIRECT_PAYLOADS: &[&str] = &[
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example",
    "\t//evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "///evil.example",
    "/ /evil.example",
    "/\u{0}/evil.example",
    "/\u{3000}/evil.example",
    "/editor\n\rSet-Cookie: x=1",
    "data:text/html,<script>alert(1)</script>",
    "/.//evil.example",
];

/// True when a browser at `base` following `location` stays on `base`'s host.
fn stays_home(base: &str, location: &str) -> bool {
    let base = url::Url::parse(base).unwrap();
    // `Url::join` follows the WHATWG URL rules browsers use (it strips tabs and newlines).
    base.join(location)
        .map(|u| {
            u.scheme() == base.scheme()
                && u.host_str() == base.host_str()
                && u.port() == base.port()
        })
        .unwrap_or(false)
}

/// Item 2: every payload lands on a local page, with and without JavaScript; none panics.
#[tokio::test]
async fn next_payloads_land_on_a_local_page() {
    let app = app_with_chief(&[]).await;
    let base = app.svc.config.site.base_url.clone();
    for (i, payload) in REDIRECT_PAYLOADS.iter().enumerate() {
        let body = sign_in_body(EMAIL, PASSWORD, Some(payload));
        let peer = format!("198.51.100.{}", i + 1);
        let js = post_from(&app, &peer, "/api/account/sign-in", &body, &[]).await;
        assert_eq!(js.status, StatusCode::OK, "{payload:?}: {}", js.body);
        let json: serde_json::Value = serde_json::from_str(&js.body).unwrap();
        let to = json["redirect"].as_str().unwrap();
        assert!(stays_home(&base, to), "{payload:?} -> {to:?}");

        let plain = post_from(
            &app,
            &peer,
            "/api/account/sign-in",
            &body,
            &[("accept", "text/html")],
        )
        .await;
        assert!(
            plain.status.is_redirection(),
            "{payload:?}: {}",
            plain.status
        );
        let location = plain.header("location").unwrap();
        assert!(stays_home(&base, location), "{payload:?} -> {location:?}");
    }
}

#[test]
fn the_redirect_check_itself_is_sound() {
    let base = "http://127.0.0.1:3000";
    assert!(stays_home(base, "/editor"));
    assert!(!stays_home(base, "/\t/evil.example"));
    assert!(!stays_home(base, "//evil.example"));
    assert!(!stays_home(base, "/\\evil.example"));
}

/// Item 2: a plain form posted from a page whose path starts with `//` (any 404 page has the
/// newsletter form in its footer) must not send the browser to that "host" afterwards.
#[tokio::test]
async fn a_form_posted_from_a_double_slash_page_goes_back_home() {
    let app = TestApp::new().await;
    let base = app.svc.config.site.base_url.clone();
    for referer in [
        "http://127.0.0.1:3000//evil.example/x",
        "http://127.0.0.1:3000/\t/evil.example",
    ] {
        let res = post_from(
            &app,
            "192.0.2.1",
            "/api/newsletter/subscribe",
            "form=signup-footer&email=nope&nl_tideline=on",
            &[
                ("accept", "text/html"),
                ("referer", referer),
                ("host", "127.0.0.1:3000"),
            ],
        )
        .await;
        let location = res.header("location").unwrap_or_default();
        assert!(stays_home(&base, location), "{referer} -> {location}");
    }
}
