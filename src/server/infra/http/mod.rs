//! The HTTP application: the UI's page routes (handed in by the composition root, see
//! [`Frontend`]), server functions, static files and the middleware every request passes
//! through (same-origin check, caching, compression, security headers).

use crate::{
    model::SiteInfo,
    server::{
        guard,
        state::{AppState, Services},
    },
};
use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::*;
use std::{path::Path, sync::Arc};
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

pub mod hardening;
mod layers;

pub use crate::server::frontend::Frontend;
pub use layers::{origin_allowed, same_origin};

use layers::{body_limit, page_caching, security_headers};

/// Builds the whole application: the server's own routes and middleware around the UI's pages.
/// Registers the UI's live views, so pushed items render as the pages do.
pub fn router(state: AppState, frontend: &Frontend) -> Router {
    state.services.live.set_views(frontend.live);
    let options = state.leptos_options.clone();
    let site_root = options.site_root.to_string();
    let pkg_dir = Path::new(&site_root).join(options.site_pkg_dir.as_ref());
    let pkg_cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };

    let routes = Router::new()
        .merge(crate::server::syndication::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/v/{article_id}", get(view_beacon))
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
        );
    (frontend.pages)(routes, &state)
        .layer(middleware::from_fn(hardening::multipart_guard))
        .layer(middleware::from_fn_with_state(state.clone(), load_flash))
        .layer(middleware::from_fn_with_state(state.clone(), page_caching))
        .layer(middleware::from_fn(guard::require_role))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::resolve_viewer,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            hardening::max_body_limit(&state.services),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), body_limit))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hardening::headers,
        ))
        // Stored pages carry their own compressed bodies, which compression passes through.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::page_cache::layer,
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
        && let Some(flash) = crate::server::flash::load(
            &state.services,
            &token,
            crate::server::cookies::cookie_value(req.headers(), crate::server::flash::COOKIE)
                .as_deref(),
        )
        .await
    {
        req.extensions_mut().insert(flash);
    }
    next.run(req).await
}

/// Context every page render and server function gets.
pub fn provide_request_context(state: &AppState) {
    provide_context(state.services.clone());
    provide_context::<SiteInfo>(state.services.site.clone());
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

/// `GET /v/{article_id}`: a reader's view, reported by the article page's beacon when pages
/// are served by a CDN (`[cdn] beacon`). A 1×1 transparent GIF that no cache keeps. Without
/// the beacon, views are counted where pages are served, so this answers 404.
async fn view_beacon(
    State(state): State<AppState>,
    axum::extract::Path(article_id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    const GIF: &[u8] = &[
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
    ];
    let svc = &state.services;
    let Ok(id) = article_id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !svc.cdn.beacon() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    svc.popularity.record(id, ua);
    (
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        GIF,
    )
        .into_response()
}
