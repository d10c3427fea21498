//! The middleware every request passes through: body limits, the same-origin rule for
//! state-changing requests, security headers, and caching headers with ETags for pages.

use crate::server::{cookies, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// HTML bodies larger than this are streamed without an ETag.
const ETAG_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Refuses bodies over the limit up front, with a message people can act on (JSON for
/// scripts, a short page for plain form posts). Chunked bodies without a length are cut off
/// by `RequestBodyLimitLayer` as they stream.
pub(super) async fn body_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let limit = super::hardening::body_limit(&state.services, req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .or_else(|| {
            axum::body::HttpBody::size_hint(req.body())
                .exact()
                .map(|n| n as usize)
        });
    if declared.is_none_or(|n| n <= limit) {
        // A body without a declared length is cut off at this route's limit as it streams.
        let req = req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, limit)));
        return next.run(req).await;
    }
    let mb = (limit as u64 / (1024 * 1024)).max(1);
    let error = crate::model::AppError::TooLarge(format!(
        "The upload is too large: the limit is {mb} MB. Nothing was saved; choose a smaller file and try again."
    ));
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Upload too large</title></head>\
             <body><main><h1>Upload too large</h1><p>{}</p><p>Use your browser's Back button: \
             your text is still in the form.</p></main></body></html>",
            crate::server::text::escape_html(&error.to_string())
        );
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
    }
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&error).unwrap_or_default(),
    )
        .into_response()
}

/// True for methods that change state.
fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses state-changing requests from other origins. Browsers always send `Sec-Fetch-Site`
/// or `Origin` with such requests, so a forged cross-site form or fetch is caught; same-origin
/// forms (with or without JavaScript) pass.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_state_changing(req.method())
        && req.uri().path() != super::ONE_CLICK_UNSUBSCRIBE
        && !origin_allowed(req.headers(), &state.services.config.site.base_url)
    {
        tracing::warn!(path = %req.uri().path(), "refused cross-site request");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This request came from another site and was refused.",
        )
            .into_response();
    }
    next.run(req).await
}

/// The same-origin rule on request headers alone (unit-tested).
pub fn origin_allowed(headers: &HeaderMap, base_url: &str) -> bool {
    let get = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match get(header::ORIGIN) {
        None => true,
        Some("null") => false,
        Some(origin) => {
            let host = get(header::HOST).unwrap_or_default();
            origin == base_url
                || origin
                    .split_once("://")
                    .is_some_and(|(_, o)| !host.is_empty() && o == host)
        }
    }
}

/// Headers every response carries.
pub(super) async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    res
}

/// `Cache-Control`, `ETag` and 304 for HTML pages. Pages for signed-in people (or that set a
/// cookie) are private and never stored by shared caches.
pub(super) async fn page_caching(
    State(_state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let private = cookies::has_session_cookie(req.headers())
        || req.uri().query().is_some_and(|q| q.contains("flash="));
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let sets_cookie = parts.headers.contains_key(header::SET_COOKIE);
    let cache = if private || sets_cookie || !parts.status.is_success() {
        if parts.status == StatusCode::NOT_FOUND && !private {
            "public, max-age=0, s-maxage=60"
        } else {
            "private, no-store"
        }
    } else {
        // Browsers revalidate every time (a cheap 304 thanks to the ETag), so an edit shows
        // on the next view; shared caches may keep a page for 30 seconds.
        "public, max-age=0, must-revalidate, s-maxage=30"
    };
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Encoding"),
    );
    if parts.status != StatusCode::OK {
        return Response::from_parts(parts, body);
    }
    let bytes = match to_bytes(body, ETAG_MAX_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "response too large").into_response();
        }
    };
    let etag = format!("W/\"{}\"", &page_fingerprint(&bytes, &parts.headers)[..24]);
    if let Ok(v) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, v);
    }
    if if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        // A 304's headers replace the cached ones: the cached page carries its own nonce, so
        // a fresh policy (with a fresh nonce) must not be sent with it.
        parts.headers.remove(header::CONTENT_SECURITY_POLICY);
        parts.headers.remove(header::SET_COOKIE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A hash of the page that ignores its per-response CSP nonce, so an unchanged page keeps
/// its ETag.
fn page_fingerprint(body: &[u8], headers: &HeaderMap) -> String {
    let nonce = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .filter(|n| n.len() >= 8);
    match (nonce, std::str::from_utf8(body)) {
        (Some(n), Ok(text)) => crate::server::crypto::sha256_hex(&text.replace(n, "")),
        _ => crate::server::crypto::sha256_hex_bytes(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        m
    }

    const BASE: &str = "https://ledger.example";

    #[test]
    fn same_origin_requests_pass() {
        assert!(origin_allowed(
            &h(&[("sec-fetch-site", "same-origin")]),
            BASE
        ));
        assert!(origin_allowed(&h(&[("origin", BASE)]), BASE));
        assert!(origin_allowed(
            &h(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            BASE
        ));
        // Typed into the address bar / bookmarks.
        assert!(origin_allowed(&h(&[("sec-fetch-site", "none")]), BASE));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(!origin_allowed(
            &h(&[("sec-fetch-site", "cross-site")]),
            BASE
        ));
        assert!(!origin_allowed(
            &h(&[("sec-fetch-site", "same-site")]),
            BASE
        ));
        assert!(!origin_allowed(
            &h(&[("origin", "https://evil.example")]),
            BASE
        ));
        assert!(!origin_allowed(&h(&[("origin", "null")]), BASE));
        assert!(!origin_allowed(
            &h(&[
                ("origin", "https://evil.example"),
                ("host", "ledger.example")
            ]),
            BASE
        ));
    }

    #[test]
    fn session_cookies_are_recognised() {
        assert!(cookies::has_session_cookie(&h(&[(
            "cookie",
            "a=1; nr_session=xyz"
        )])));
        assert!(!cookies::has_session_cookie(&h(&[(
            "cookie",
            "nr_sessionx=1"
        )])));
    }
}
