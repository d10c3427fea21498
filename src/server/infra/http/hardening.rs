//! Response headers and request bounds that hold for the whole site: HSTS over https,
//! `no-store` on answers meant for one person, `Retry-After` on every refusal, and a body
//! limit per route.

use crate::server::{
    cookies::has_session_cookie,
    state::{AppState, Services},
};
use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};

/// Server functions that answer for one person whoever asks (tokens in the query, accounts).
const PERSONAL_PREFIXES: &[&str] = &[
    "/api/account/",
    "/api/staff/",
    "/api/editor/",
    "/api/admin/",
    "/api/newsletter/preferences",
    "/api/newsletter/confirm-page",
];

/// Routes that take an upload; every other route gets `limits.form_body_bytes`.
const UPLOAD_PATHS: &[&str] = &["/api/staff/save-article"];

/// HSTS for a year, subdomains included (sent only when `site.base_url` is https).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The largest body a request to `path` may have.
pub fn body_limit(svc: &Services, path: &str) -> usize {
    if UPLOAD_PATHS.contains(&path) {
        svc.media.max_bytes() as usize + 512 * 1024
    } else {
        svc.config.limits.form_body_bytes
    }
}

/// The largest body any route accepts (the outer, streaming limit).
pub fn max_body_limit(svc: &Services) -> usize {
    (svc.media.max_bytes() as usize + 512 * 1024).max(svc.config.limits.form_body_bytes)
}

fn is_personal(path: &str, has_cookie: bool) -> bool {
    path.starts_with("/api/")
        && (has_cookie || PERSONAL_PREFIXES.iter().any(|p| path.starts_with(p)))
}

/// True when an upload route's request has a multipart body it can read. (server_fn panics on
/// a multipart request without a usable boundary.)
pub fn multipart_ok(path: &str, content_type: Option<&str>) -> bool {
    !UPLOAD_PATHS.contains(&path)
        || content_type.is_some_and(|ct| multer::parse_boundary(ct).is_ok())
}

/// Refuses a post to an upload route that has no readable multipart body, with 400 (after the
/// role check, so strangers still get 401).
pub async fn multipart_guard(req: Request, next: Next) -> Response {
    if req.method() == axum::http::Method::POST
        && !multipart_ok(
            req.uri().path(),
            req.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
        )
    {
        use axum::response::IntoResponse;
        let e = crate::model::AppError::Request("Expected a multipart form.".into());
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&e).unwrap_or_default(),
        )
            .into_response();
    }
    next.run(req).await
}

/// HSTS, `no-store` on personal answers, and a `Retry-After` on every 429 and 503.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let svc = &state.services;
    let has_cookie = has_session_cookie(req.headers());
    let personal = is_personal(req.uri().path(), has_cookie);
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if api && res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        res = request_errors_are_400(res).await;
    }
    let h = res.headers_mut();
    if svc.config.is_https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if personal {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    let status = res.status();
    if (status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE)
        && !res.headers().contains_key(header::RETRY_AFTER)
    {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    res
}

/// A server function whose arguments cannot be read never runs, and its framework answers
/// 500 with our error inside. That is the client's mistake: 400.
async fn request_errors_are_400(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let kind = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned));
    if kind.as_deref() == Some("request") {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_answers_are_recognised() {
        assert!(is_personal("/api/account/page", false));
        assert!(is_personal("/api/newsletter/preferences", false));
        assert!(is_personal("/api/reader/front", true));
        assert!(!is_personal("/api/reader/front", false));
        assert!(
            !is_personal("/news/a-story", true),
            "pages have their own rule"
        );
    }

    #[test]
    fn upload_routes_need_a_multipart_boundary() {
        let p = "/api/staff/save-article";
        assert!(multipart_ok(p, Some("multipart/form-data; boundary=abc")));
        assert!(!multipart_ok(p, Some("multipart/form-data")));
        assert!(!multipart_ok(p, Some("application/x-www-form-urlencoded")));
        assert!(!multipart_ok(p, None));
        assert!(multipart_ok("/api/comments/post", None));
    }
}
