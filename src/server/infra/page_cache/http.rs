//! The page cache as middleware: serves stored pages by `Accept-Encoding`, renders a page at
//! most once per change, and stores what may be shared.

use super::{Entry, Lookup, PageCache, TAGS_HEADER};
use crate::server::{cookies, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The internal header naming the article a page view counts for (removed before sending).
pub const VIEW_HEADER: &str = "x-newsroom-view";
/// Tells tests, benchmarks and operators how a page was served: HIT, STALE, MISS or BYPASS.
pub const STATUS_HEADER: &str = "x-cache";

/// Query parameters that pages read: part of the key.
const KEY_PARAMS: &[&str] = &["page", "comments", "cpage", "thread", "before", "key"];
/// Paths that are never pages for anonymous readers to share.
const NEVER: &[&str] = &[
    "/api/",
    "/editor",
    "/account",
    "/live/",
    "/pkg/",
    "/media/",
    "/static/",
    "/signin",
    "/search",
    "/healthz",
    "/newsletters",
];
/// Largest page kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Campaign and click-tracking parameters on shared links: no page reads them.
fn ignorable(param: &str) -> bool {
    param.starts_with("utm_") || matches!(param, "fbclid" | "gclid" | "mc_cid" | "mc_eid" | "ref")
}

/// The key for a request that may be served from the cache: its path and the parameters that
/// matter, sorted. `None` for anything that must be rendered for this request alone.
/// `promo` is the current promo banner's id: a reader who dismissed it gets the variant
/// without it (any other value of the cookie changes nothing).
pub fn cache_key(
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    promo: Option<&str>,
) -> Option<String> {
    if method != Method::GET || cookies::has_session_cookie(headers) {
        return None;
    }
    let dismissed = promo.is_some()
        && cookies::cookie_value(headers, cookies::PROMO_COOKIE).as_deref() == promo;
    let variant = if dismissed { "\u{0}no-promo" } else { "" };
    let path = uri.path();
    if NEVER.iter().any(|p| path.starts_with(p)) {
        return None;
    }
    let mut kept = Vec::new();
    if let Some(q) = uri.query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            if KEY_PARAMS.contains(&k.as_ref()) {
                kept.push((k.into_owned(), v.into_owned()));
            } else if !ignorable(&k) {
                // `?flash=` and anything unknown: rendered, never stored (and an attacker
                // cannot fill the cache with made-up parameters).
                return None;
            }
        }
    }
    kept.sort();
    if kept.is_empty() {
        return Some(format!("{path}{variant}"));
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    Some(format!("{path}?{query}{variant}"))
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The best encoding the client accepts (a `q=0` refuses one).
pub fn preferred_encoding(headers: &HeaderMap) -> Encoding {
    let accepts = |name: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The middleware (outside compression, so stored pages are compressed once, not per request).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = state.services.page_cache.clone();
    let promo = state.services.site.promo.as_ref().map(|p| p.id.as_str());
    let key = match cache_key(req.method(), req.uri(), req.headers(), promo) {
        Some(k) if cache.enabled() => k,
        _ => return strip_internal(next.run(req).await, "BYPASS"),
    };
    if !cache.in_sync(state.services.live.changes()) {
        return strip_internal(next.run(req).await, "BYPASS");
    }
    let mut waited = false;
    loop {
        match cache.lookup(&key) {
            Lookup::Fresh(e) => return hit(&state, &e, req.headers(), "HIT"),
            Lookup::Stale(e) => return hit(&state, &e, req.headers(), "STALE"),
            Lookup::Wait(mut done) if !waited => {
                // Someone renders this page right now: its result serves this request too.
                let _ = done.changed().await;
                waited = true;
            }
            // Still nothing stored after waiting once: this page is not kept; render it here.
            Lookup::Wait(_) => return strip_internal(next.run(req).await, "BYPASS"),
            Lookup::Render(guard, old) => {
                let res = render(&cache, &key, req, next, old.is_some()).await;
                drop(guard);
                return res;
            }
        }
    }
}

/// Serves a stored page, counting the reader's view for "Most popular".
fn hit(state: &AppState, e: &Entry, req: &HeaderMap, how: &'static str) -> Response {
    if let Some(id) = e.viewed_article {
        let ua = req.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
        state.services.popularity.record(id, ua);
    }
    serve(e, req, how)
}

/// A stored page as a response for a request with `req` headers.
pub fn serve(e: &Entry, req: &HeaderMap, how: &'static str) -> Response {
    let mut headers = e.headers.clone();
    headers.insert(STATUS_HEADER, HeaderValue::from_static(how));
    headers.insert(header::AGE, HeaderValue::from(e.age()));
    if let Some(etag) = &e.etag {
        headers.insert(header::ETAG, etag.clone());
        let matches = req
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim() == etag.to_str().unwrap_or(""))
            });
        if matches && e.status == StatusCode::OK {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            *res.headers_mut() = headers;
            return res;
        }
    }
    if let Some(csp) = &e.csp {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    }
    let body = match preferred_encoding(req) {
        Encoding::Brotli if !e.br.is_empty() => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            e.br.clone()
        }
        Encoding::Brotli | Encoding::Gzip if !e.gzip.is_empty() => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            e.gzip.clone()
        }
        _ => e.identity.clone(),
    };
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = e.status;
    *res.headers_mut() = headers;
    res
}

/// Renders the page for everyone: uncompressed and unconditional, then kept if it may be.
async fn render(
    cache: &Arc<PageCache>,
    key: &str,
    req: Request,
    next: Next,
    had_entry: bool,
) -> Response {
    let req_headers = req.headers().clone();
    let epoch = cache.epoch();
    let (mut parts, body) = req.into_parts();
    parts.headers.remove(header::ACCEPT_ENCODING);
    parts.headers.remove(header::IF_NONE_MATCH);
    parts.headers.remove(header::IF_MODIFIED_SINCE);
    let res = next.run(Request::from_parts(parts, body)).await;
    let (mut rparts, rbody) = res.into_parts();
    let tags = take_list(&mut rparts.headers, TAGS_HEADER);
    let viewed_article = take_list(&mut rparts.headers, VIEW_HEADER)
        .first()
        .and_then(|v| v.parse().ok());
    let h = &rparts.headers;
    let private = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("private") || v.contains("no-store"));
    let storable = !tags.is_empty()
        && matches!(rparts.status, StatusCode::OK | StatusCode::NOT_FOUND)
        && !h.contains_key(header::SET_COOKIE)
        && !h.contains_key(header::CONTENT_ENCODING)
        && !private;
    if !storable {
        if had_entry {
            // A withdrawn story (410) or a failing render: the old page must not stay.
            cache.remove(key);
        }
        rparts
            .headers
            .insert(STATUS_HEADER, HeaderValue::from_static("BYPASS"));
        return Response::from_parts(rparts, rbody);
    }
    let bytes = match to_bytes(rbody, MAX_PAGE_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            cache.remove(key);
            return (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response();
        }
    };
    let csp = rparts
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|policy| HeaderValue::from_str(&hashed_policy(policy, &bytes)).ok());
    let mut headers = rparts.headers;
    for h in [
        header::CONTENT_SECURITY_POLICY,
        header::CONTENT_LENGTH,
        header::ETAG,
        header::TRANSFER_ENCODING,
    ] {
        headers.remove(h);
    }
    let etag = rparts_etag(&bytes);
    let list = tags.join(" ");
    if let Ok(v) = HeaderValue::from_str(&list) {
        // What a CDN (Fastly: Surrogate-Key) or Varnish (xkey) purges by.
        headers.insert("surrogate-key", v.clone());
        headers.insert("xkey", v);
    }
    let c = &cache.config;
    let policy = if rparts.status == StatusCode::OK {
        format!(
            "public, max-age=0, must-revalidate, s-maxage={}, stale-while-revalidate={}, stale-if-error={}",
            c.s_maxage, c.stale_while_revalidate, c.stale_if_error
        )
    } else {
        "public, max-age=0, s-maxage=60".to_owned()
    };
    if let Ok(v) = HeaderValue::from_str(&policy) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Encoding"),
    );
    let entry = Arc::new(Entry::new(
        rparts.status,
        headers,
        bytes,
        Some(etag),
        csp,
        tags,
        viewed_article,
    ));
    cache.store(key, entry.clone(), epoch);
    serve(&entry, &req_headers, "MISS")
}

/// A strong validator for the stored bytes (every reader gets the same ones).
fn rparts_etag(body: &[u8]) -> HeaderValue {
    let hash = crate::server::crypto::sha256_hex_bytes(body);
    HeaderValue::from_str(&format!("\"{}\"", &hash[..24])).expect("hex is a valid header")
}

/// Removes an internal header, returning its values split on spaces and commas, deduplicated.
fn take_list(headers: &mut HeaderMap, name: &str) -> Vec<String> {
    let mut out: Vec<String> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([' ', ',']))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    headers.remove(name);
    out.sort();
    out.dedup();
    out
}

/// Removes the internal headers from a response that is not stored.
fn strip_internal(mut res: Response, how: &'static str) -> Response {
    res.headers_mut().remove(TAGS_HEADER);
    res.headers_mut().remove(VIEW_HEADER);
    res.headers_mut()
        .insert(STATUS_HEADER, HeaderValue::from_static(how));
    res
}

/// The policy with its `'nonce-…'` source replaced by the hashes of the page's inline scripts.
pub fn hashed_policy(policy: &str, body: &[u8]) -> String {
    let html = String::from_utf8_lossy(body);
    let hashes: Vec<String> = inline_scripts(&html)
        .into_iter()
        .map(|s| {
            let digest = Sha256::digest(s.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    policy
        .split(' ')
        .map(|token| {
            if token.starts_with("'nonce-") {
                hashes.join(" ")
            } else {
                token.to_owned()
            }
        })
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of every executable inline `<script>` (not `src=`, not a JSON data block).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let open = &after[..open_end];
        let content_start = open_end + 1;
        let Some(len) = after[content_start..].find("</script") else {
            break;
        };
        let content = &after[content_start..content_start + len];
        let data_block = open.contains("application/ld+json") || open.contains("application/json");
        if !open.contains(" src=") && !data_block {
            out.push(content);
        }
        rest = &after[content_start + len..];
    }
    out
}
