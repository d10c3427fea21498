//! The HTTP application: Leptos routes, server functions, static files and the middleware every
//! request passes through (same-origin check, caching, compression, security headers).

use crate::{
    app::{App, shell},
    model::SiteInfo,
    server::{
        guard,
        state::{AppState, Services},
    },
};
use axum::{
    Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{path::Path, sync::Arc};
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// HTML bodies larger than this are streamed without an ETag.
const ETAG_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let site_root = options.site_root.to_string();
    let pkg_dir = Path::new(&site_root).join(options.site_pkg_dir.as_ref());
    let context = {
        let state = state.clone();
        move || provide_request_context(&state)
    };
    let shell_fn = {
        let css = state.css_href.clone();
        move |opts: LeptosOptions| shell(opts, css.clone())
    };
    let pkg_cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };

    Router::new()
        .merge(crate::server::feeds::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/live/feed", get(crate::server::live::feed_stream))
        .route(
            "/live/comments/{article_id}",
            get(crate::server::live::comments_stream),
        )
        .route(
            ONE_CLICK_UNSUBSCRIBE,
            axum::routing::post(one_click_unsubscribe),
        )
        .route("/editor/newsletters/export.csv", get(export_subscribers))
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(pkg_cache),
                ))
                // `cargo leptos build --precompress` writes .br and .gz next to each asset.
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .nest_service(
            "/static",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ))
                .service(ServeDir::new(Path::new(&site_root).join("static"))),
        )
        .nest_service(
            "/media",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    // Media file names are content hashes: they never change.
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ))
                .service(ServeDir::new(state.services.media.dir())),
        )
        .route_service(
            "/favicon.ico",
            tower_http::services::ServeFile::new(Path::new(&site_root).join("favicon.ico")),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let shell_fn = shell_fn.clone();
            move || shell_fn(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell_fn))
        .layer(middleware::from_fn(
            crate::server::hardening::multipart_guard,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), load_flash))
        .layer(middleware::from_fn_with_state(state.clone(), page_caching))
        .layer(middleware::from_fn(guard::require_role))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::resolve_viewer,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            crate::server::hardening::max_body_limit(&state.services),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), body_limit))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::hardening::headers,
        ))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Loads the flash named by `?flash=` into the request, for the page's forms to read.
async fn load_flash(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.method() == Method::GET
        && let Some(token) = req.uri().query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "flash")
                .map(|(_, v)| v.into_owned())
        })
        && let Some(flash) = crate::server::flashes::load(
            &state.services,
            &token,
            cookie_value(req.headers(), crate::server::flashes::COOKIE).as_deref(),
        )
        .await
    {
        req.extensions_mut().insert(flash);
    }
    next.run(req).await
}

/// Context every page render and server function gets.
fn provide_request_context(state: &AppState) {
    provide_context(state.services.clone());
    provide_context::<SiteInfo>(state.services.site.clone());
}

/// Refuses bodies over the limit up front, with a message people can act on (JSON for
/// scripts, a short page for plain form posts). Chunked bodies without a length are cut off
/// by `RequestBodyLimitLayer` as they stream.
async fn body_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = crate::server::hardening::body_limit(&state.services, req.uri().path());
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
        let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
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

/// The List-Unsubscribe address of our emails. Mail providers POST to it from their own
/// servers (RFC 8058), so it is exempt from the same-origin rule: its signed token is the
/// authority, and it can only ever unsubscribe.
pub const ONE_CLICK_UNSUBSCRIBE: &str = "/newsletters/unsubscribe";

/// `POST /newsletters/unsubscribe?token=…` with `List-Unsubscribe=One-Click` (RFC 8058).
async fn one_click_unsubscribe(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    body: String,
) -> Response {
    let token = q.get("token").cloned().unwrap_or_default();
    if !body.contains("List-Unsubscribe=One-Click") {
        return (
            StatusCode::BAD_REQUEST,
            "Expected List-Unsubscribe=One-Click",
        )
            .into_response();
    }
    match crate::server::newsletters::one_click(&state.services, &token).await {
        Ok(message) => (StatusCode::OK, message).into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST),
            e.to_string(),
        )
            .into_response(),
    }
}

/// `GET /editor/newsletters/export.csv?newsletter=…` (editors).
async fn export_subscribers(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    axum::Extension(viewer): axum::Extension<crate::model::Viewer>,
) -> Response {
    let newsletter = q.get("newsletter").cloned().unwrap_or_default();
    match crate::server::newsletters::export_csv(&state.services, &viewer, &newsletter).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{newsletter}-subscribers.csv\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::FORBIDDEN),
            e.to_string(),
        )
            .into_response(),
    }
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
        && req.uri().path() != ONE_CLICK_UNSUBSCRIBE
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
async fn security_headers(req: Request, next: Next) -> Response {
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
async fn page_caching(State(_state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let private = has_session_cookie(req.headers())
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

/// Name of the staff session cookie.
pub const SESSION_COOKIE: &str = "nr_session";
/// Name of the reader session cookie.
pub const READER_COOKIE: &str = "nr_reader";

fn has_session_cookie(headers: &HeaderMap) -> bool {
    cookie_value(headers, SESSION_COOKIE).is_some()
        || cookie_value(headers, READER_COOKIE).is_some()
}

/// The value of a request cookie (the first non-empty one with that name).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_owned())
        })
}

/// Reads the asset fingerprints cargo-leptos writes next to the server binary.
pub fn css_href(options: &LeptosOptions) -> Arc<str> {
    let name = options.output_name.to_string();
    let pkg = options.site_pkg_dir.to_string();
    if options.hash_files
        && let Some(hash) = hash_file_entry(options, "css")
    {
        return format!("/{pkg}/{name}.{hash}.css").into();
    }
    format!("/{pkg}/{name}.css").into()
}

fn hash_file_entry(options: &LeptosOptions, key: &str) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let text = std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_owned())
    })
}

/// True when cargo-leptos fingerprinted the assets of this build.
pub fn hashed_build(options: &LeptosOptions) -> bool {
    hash_file_entry(options, "js").is_some()
}

/// Builds the state for a configured set of services.
pub fn app_state(services: Arc<Services>, leptos_options: LeptosOptions) -> AppState {
    let css_href = css_href(&leptos_options);
    AppState {
        leptos_options,
        services,
        css_href,
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
        assert!(has_session_cookie(&h(&[("cookie", "a=1; nr_session=xyz")])));
        assert!(!has_session_cookie(&h(&[("cookie", "nr_sessionx=1")])));
    }
}
