//! Who is asking, and may they: middleware that resolves the client address and the signed-in
//! staff member for every request, and refuses staff-only paths before any handler runs.
//!
//! Server functions are grouped by URL prefix, and the prefix decides the role:
//!
//! | prefix          | who may call it            |
//! | --------------- | -------------------------- |
//! | `/api/staff/`   | any signed-in staff member |
//! | `/api/editor/`  | editors and admins         |
//! | `/api/admin/`   | admins                     |
//! | `/editor` pages | any signed-in staff member |
//!
//! Everything else is public. The handlers check again (defence in depth), and a test
//! enumerates every registered server function against this table.

use crate::{
    model::{AppError, Role, Viewer},
    server::{
        auth,
        cookies::{READER_COOKIE, SESSION_COOKIE, cookie_value},
        state::{AppState, Services},
    },
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use std::net::SocketAddr;

/// The client's address, as far as this server can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// The raw session token of the request (for sign-out).
#[derive(Debug, Clone)]
pub struct SessionToken(pub String);

/// The raw reader-session token of the request (for sign-out).
#[derive(Debug, Clone)]
pub struct ReaderToken(pub String);

/// The role a path requires, if any.
pub fn required_role(path: &str) -> Option<Role> {
    if path.starts_with("/api/admin/") {
        Some(Role::Admin)
    } else if path.starts_with("/api/editor/") {
        Some(Role::Editor)
    } else if path.starts_with("/api/staff/") || path == "/editor" || path.starts_with("/editor/") {
        Some(Role::Contributor)
    } else {
        None
    }
}

fn client_ip(req: &Request, svc: &Services) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    crate::server::client_ip::resolve(peer, forwarded, &svc.config.security.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Resolves the client address and the signed-in staff member into request extensions.
/// A stale session cookie is cleared on the response.
pub async fn resolve_viewer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let svc = &state.services;
    let ip = client_ip(&req, svc);
    req.extensions_mut().insert(ClientIp(ip));
    let mut stale = false;
    if let Some(token) = cookie_value(req.headers(), SESSION_COOKIE) {
        match auth::viewer(svc, &token).await {
            Ok(Some(viewer)) => {
                req.extensions_mut().insert(viewer);
                req.extensions_mut().insert(SessionToken(token));
            }
            Ok(None) => stale = true,
            Err(_) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Please try again in a moment.",
                )
                    .into_response();
            }
        }
    }
    let mut stale_reader = false;
    if let Some(token) = cookie_value(req.headers(), READER_COOKIE) {
        match crate::server::readers::reader_for(svc, &token).await {
            Ok(Some(reader)) => {
                req.extensions_mut().insert(reader);
                req.extensions_mut().insert(ReaderToken(token));
            }
            Ok(None) => stale_reader = true,
            Err(_) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Please try again in a moment.",
                )
                    .into_response();
            }
        }
    }
    let mut res = next.run(req).await;
    if stale_reader
        && let Ok(v) = HeaderValue::from_str(&crate::server::readers::clear_reader_cookie(
            svc.config.is_https(),
        ))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if stale
        && let Ok(v) = HeaderValue::from_str(&auth::clear_session_cookie(svc.config.is_https()))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn wants_json(req: &Request) -> bool {
    !req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn error_json(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::FORBIDDEN);
    let body = serde_json::to_string(&e).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Where a signed-out visitor is sent, keeping where they were going.
pub fn sign_in_url(next: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/signin?next={next}")
}

/// Refuses staff-only paths to people without the role: 401 or 403 for API calls, a redirect
/// to sign-in (or a 403 page) for pages and plain form posts.
pub async fn require_role(req: Request, next: Next) -> Response {
    let Some(role) = required_role(req.uri().path()) else {
        return next.run(req).await;
    };
    let viewer = req.extensions().get::<Viewer>().cloned();
    match viewer {
        Some(v) if v.can(role) => next.run(req).await,
        Some(_) if wants_json(&req) => error_json(AppError::Forbidden),
        Some(_) => next.run(req).await, // pages render their own 403 with navigation
        None if wants_json(&req) => error_json(AppError::Unauthorized),
        None => {
            let target = if req.method() == Method::GET {
                req.uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/editor".into())
            } else {
                "/editor".into()
            };
            Redirect::to(&sign_in_url(&target)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_decide_the_role() {
        assert_eq!(required_role("/api/admin/users"), Some(Role::Admin));
        assert_eq!(required_role("/api/editor/publish"), Some(Role::Editor));
        assert_eq!(required_role("/api/staff/save"), Some(Role::Contributor));
        assert_eq!(required_role("/editor"), Some(Role::Contributor));
        assert_eq!(required_role("/editor/articles/3"), Some(Role::Contributor));
        assert_eq!(required_role("/editorials"), None);
        assert_eq!(required_role("/api/reader/front"), None);
        assert_eq!(required_role("/news/x"), None);
    }

    #[test]
    fn sign_in_links_keep_the_destination() {
        assert_eq!(
            sign_in_url("/editor/articles/4?x=1"),
            "/signin?next=%2Feditor%2Farticles%2F4%3Fx%3D1"
        );
    }
}
