//! One test per attack in issue #15 ("hold the line under brute force, floods and hostile
//! input"). Each was written first and seen failing on the code before its fix.

mod comments;
mod fuzz;
mod links;
mod live;
mod media;
mod newsletters;
mod retention;
mod sign_in;

use crate::testkit::{BROWSER_UA, TestApp, TestResponse};
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, header},
};
use std::net::SocketAddr;

/// A request as it arrives from `peer` (the TCP peer address the server sees).
pub fn from_peer(mut req: Request<Body>, peer: &str) -> Request<Body> {
    let ip: std::net::IpAddr = peer.parse().expect("peer address");
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
    req
}

/// A same-origin form POST from `peer`, with extra headers (which replace the defaults).
pub async fn post_from(
    app: &TestApp,
    peer: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> TestResponse {
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, BROWSER_UA)
        .header(header::ORIGIN, app.svc.config.site.base_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_owned()))
        .unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(
            header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            header::HeaderValue::from_str(v).unwrap(),
        );
    }
    app.send(from_peer(req, peer)).await
}

/// The `name=value` part of a response's `Set-Cookie` for `name`.
pub fn cookie_from(res: &TestResponse, name: &str) -> Option<String> {
    res.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")) && kv.len() > name.len() + 1)
        .map(str::to_owned)
}

/// A second connection to the test database, to look at what the server stored.
pub async fn db(app: &TestApp) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.dir.path().join("test.db").display()
    ))
    .await
    .expect("open the test database")
}
