//! HTTP-level tests of staff accounts, the role guard and the editing views.

use crate::{
    model::{ArticleStatus, Role},
    server::guard::required_role,
    testkit::TestApp,
};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};

/// Server functions anyone may call. A new public one must be added here on purpose; anything
/// else must sit under a guarded prefix (see `server::guard`).
const PUBLIC: &[&str] = &[
    "/api/reader/front",
    "/api/reader/article",
    "/api/reader/slug",
    "/api/reader/tag",
    "/api/reader/author",
    "/api/reader/search",
    "/api/reader/news-feed",
    "/api/reader/feed-item",
    "/api/site/dismiss-promo",
    "/api/account/sign-in",
    "/api/newsletter/subscribe",
    "/api/newsletter/confirm-page",
    "/api/newsletter/confirm",
    "/api/newsletter/preferences",
    "/api/newsletter/save-preferences",
    "/api/newsletter/unsubscribe-all",
    "/api/newsletter/unsubscribe",
    "/api/account/send-link",
    "/api/account/verify",
    "/api/account/name",
    "/api/account/sign-out",
    "/api/account/page",
    "/api/comments/post",
    "/api/comments/edit",
    "/api/comments/delete",
    "/api/comments/report",
];

#[tokio::test]
async fn every_server_function_is_public_on_purpose_or_guarded_by_role() {
    let app = TestApp::new().await;
    let contributor = app.session(Role::Contributor).await;
    let editor = app.session(Role::Editor).await;
    let mut guarded = 0;
    let paths: Vec<(String, axum::http::Method)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, m)| (p.to_owned(), m))
        .collect();
    assert!(paths.len() > 10, "server functions are registered");
    for (path, method) in paths {
        let Some(role) = required_role(&path) else {
            assert!(
                PUBLIC.contains(&path.as_str()),
                "{path} is neither in the public list nor under a guarded prefix"
            );
            continue;
        };
        guarded += 1;
        let request = |cookie: Option<&str>| {
            let mut r = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header(header::ACCEPT, "application/json")
                .header(header::ORIGIN, "http://127.0.0.1:3000")
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(c) = cookie {
                r = r.header(header::COOKIE, c);
            }
            r.body(Body::empty()).unwrap()
        };
        let res = app.send(request(None)).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a session"
        );
        let lower = match role {
            Role::Admin => Some(&editor),
            Role::Editor => Some(&contributor),
            Role::Contributor => None,
        };
        if let Some(cookie) = lower {
            let res = app.send(request(Some(cookie))).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{method} {path} with a lower role"
            );
            let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
            assert_eq!(json["kind"], "forbidden");
        }
    }
    assert!(
        guarded >= 12,
        "only {guarded} guarded server functions found"
    );
}

#[tokio::test]
async fn signing_in_sets_a_safe_cookie_and_failures_look_alike() {
    let app = TestApp::new().await;
    crate::server::auth::create_user(
        &app.svc,
        "ed@example.org",
        "Ed",
        Role::Editor,
        "a long enough password",
    )
    .await
    .unwrap();
    let ok = app
        .post_form(
            "/api/account/sign-in",
            "email=ed%40example.org&password=a+long+enough+password&next=%2Feditor%2Faudit",
            &[],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let cookie = ok.header("set-cookie").unwrap();
    for part in ["nr_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let json: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(json["redirect"], "/editor/audit");
    let token = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        app.get_with("/editor", &[("cookie", &token)]).await.status,
        StatusCode::OK
    );

    let wrong = app
        .post_form(
            "/api/account/sign-in",
            "email=ed%40example.org&password=nope",
            &[],
        )
        .await;
    let unknown = app
        .post_form(
            "/api/account/sign-in",
            "email=who%40example.org&password=nope",
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.header("set-cookie").is_none());
}

#[tokio::test]
async fn editor_pages_need_a_session_and_the_right_role() {
    let app = TestApp::seeded(2).await;
    let res = app.get("/editor/articles/new").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.header("location"),
        Some("/signin?next=%2Feditor%2Farticles%2Fnew")
    );
    let c = app.session(Role::Contributor).await;
    let list = app.get_with("/editor", &[("cookie", &c)]).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Keeling Island ferry"));
    assert_eq!(list.header("cache-control"), Some("private, no-store"));
    let users = app.get_with("/editor/users", &[("cookie", &c)]).await;
    assert_eq!(users.status, StatusCode::FORBIDDEN);
    assert!(users.body.contains("You do not have access"));
    let admin = app.session(Role::Admin).await;
    let users = app.get_with("/editor/users", &[("cookie", &admin)]).await;
    assert_eq!(users.status, StatusCode::OK);
}

#[tokio::test]
async fn edit_post_link_is_for_staff_only_even_after_staff_visits() {
    let app = TestApp::seeded(2).await;
    let path = app.first_article_path().await;
    let staff = app.session(Role::Contributor).await;
    let as_staff = app.get_with(&path, &[("cookie", &staff)]).await;
    assert!(as_staff.body.contains("Edit post"));
    assert_eq!(as_staff.header("cache-control"), Some("private, no-store"));
    let as_reader = app.get(&path).await;
    assert!(!as_reader.body.contains("Edit post"));
    assert!(
        as_reader
            .header("cache-control")
            .unwrap()
            .starts_with("public")
    );
    assert_ne!(as_staff.header("etag"), as_reader.header("etag"));
}

fn article_fields<'a>(title: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("dek", "A standfirst."),
        ("section", "news"),
        ("tags", "Ferries"),
        ("authors", "samuel-achterberg"),
        ("body", body),
        ("intent", "save"),
    ]
}

#[tokio::test]
async fn bad_editor_input_gets_clear_errors_and_changes_nothing() {
    let app = TestApp::seeded(1).await;
    let ed = app.session(Role::Editor).await;
    let cookie = [("cookie", ed.as_str())];
    let before = app.svc.store.article_count().await.unwrap();

    // A 10,000-character headline.
    let long = "x".repeat(10_000);
    let res = app
        .post_multipart(
            "/api/staff/save-article",
            &article_fields(&long, "Body."),
            None,
            &cookie,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("at most 200 characters"), "{}", res.body);

    // A text file renamed .jpg.
    let mut fields = article_fields("A story", "Body.");
    fields.push(("hero_alt", "Alt"));
    let res = app
        .post_multipart(
            "/api/staff/save-article",
            &fields,
            Some((
                "hero_image",
                "holiday.jpg",
                b"this is text, not a photograph",
            )),
            &cookie,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["fields"][0]["field"], "hero_image");
    assert!(
        json["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not an image")
    );

    // An upload over the limit is refused before it is read.
    let huge = vec![0u8; app.svc.media.max_bytes() as usize + 600 * 1024];
    let res = app
        .post_multipart(
            "/api/staff/save-article",
            &fields,
            Some(("hero_image", "big.jpg", &huge)),
            &cookie,
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("the limit is 8 MB"), "{}", res.body);

    // A cross-site POST, even with a valid session cookie.
    let res = app
        .post_multipart(
            "/api/staff/save-article",
            &article_fields("Forged", "Body."),
            None,
            &[
                ("cookie", &ed),
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    assert_eq!(
        app.svc.store.article_count().await.unwrap(),
        before,
        "nothing was stored"
    );
}

#[tokio::test]
async fn scripts_in_the_body_are_stored_and_shown_inert() {
    let app = TestApp::seeded(1).await;
    let ed = app.session(Role::Editor).await;
    let mut fields = article_fields(
        "Inert script",
        "Before <script>alert('x')</script> after <img src=x onerror=alert(1)>",
    );
    fields.retain(|(k, _)| *k != "intent");
    fields.push(("intent", "publish"));
    let res = app
        .post_multipart("/api/staff/save-article", &fields, None, &[("cookie", &ed)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let page = app.get("/news/inert-script").await;
    assert_eq!(page.status, StatusCode::OK);
    let story = &page.body[page.body.find("story__body").unwrap()..];
    let story = &story[..story.find("</article>").unwrap()];
    assert!(!story.contains("<script"), "{story}");
    assert!(!story.contains("onerror"), "{story}");
    assert!(story.contains("Before"));
}

#[tokio::test]
async fn unpublished_and_deleted_articles_are_gone_for_readers_but_previewable_by_staff() {
    let app = TestApp::seeded(2).await;
    let ed = app.session(Role::Editor).await;
    let path = app.first_article_path().await;
    let slug = path.rsplit('/').next().unwrap();
    let a = app.svc.store.article_by_slug(slug).await.unwrap().unwrap();
    let mut fields = vec![
        ("id".to_owned(), a.id.to_string()),
        ("version".to_owned(), a.version.to_string()),
        ("title".to_owned(), a.title.clone()),
        ("section".to_owned(), a.section.slug.clone()),
        ("body".to_owned(), a.body_md.clone()),
        ("hero_alt".to_owned(), a.hero.as_ref().unwrap().alt.clone()),
        ("intent".to_owned(), "unpublish".to_owned()),
    ];
    for au in &a.authors {
        fields.push(("authors".into(), au.slug.clone()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app
        .post_multipart("/api/staff/save-article", &fields, None, &[("cookie", &ed)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(app.get(&path).await.status, StatusCode::GONE);
    let preview = app.get_with(&path, &[("cookie", &ed)]).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("Preview: this article is draft"));
    assert_eq!(
        app.svc
            .store
            .article_by_id(a.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ArticleStatus::Draft
    );
    let del = app
        .post_form(
            "/api/editor/delete-article",
            &format!("id={}&confirm=yes", a.id),
            &[("cookie", &ed)],
        )
        .await;
    assert_eq!(del.status, StatusCode::OK, "{}", del.body);
    assert_eq!(app.get(&path).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn the_cli_creates_the_first_admin_only_with_a_password() {
    // The binary reads the password from NEWSROOM_PASSWORD or stdin; here we call the same
    // function it calls and check the refusals a person would see.
    let app = TestApp::new().await;
    let err =
        crate::server::auth::create_user(&app.svc, "boss@example.org", "Boss", Role::Admin, "")
            .await
            .unwrap_err();
    assert!(err.for_field("password").is_some());
    assert_eq!(app.svc.store.user_count().await.unwrap(), 0);
}
