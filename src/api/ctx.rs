//! What server functions take from the request context.

use crate::{model::AppError, server::state::Services};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use leptos::prelude::*;
use std::sync::Arc;

/// The services, provided to every request by the router.
pub fn services() -> Result<Arc<Services>, AppError> {
    use_context::<Arc<Services>>().ok_or_else(|| {
        tracing::error!("services missing from request context");
        AppError::Internal
    })
}

/// The request's headers (empty outside a request).
pub fn request_headers() -> HeaderMap {
    use_context::<Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

/// True when the browser posted a plain HTML form (no JavaScript): it wants a page back.
pub fn is_plain_form_post() -> bool {
    request_headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Answers a server function's error with its HTTP status, unless the request is a page render
/// or a plain form post (those redirect or render their own status).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result
        && !is_plain_form_post()
        && let Some(res) = use_context::<leptos_axum::ResponseOptions>()
    {
        res.set_status(StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST));
    }
    result
}

/// The value of a request cookie.
pub fn cookie(name: &str) -> Option<String> {
    crate::server::cookies::cookie_value(&request_headers(), name)
}

/// The browser's User-Agent header.
pub fn user_agent() -> Option<String> {
    request_headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The client's address as the request guard resolved it ("unknown" outside a request).
pub fn client_ip() -> String {
    use_context::<Parts>()
        .and_then(|p| {
            p.extensions
                .get::<crate::server::guard::ClientIp>()
                .map(|c| c.0.clone())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    use axum::http::HeaderValue;
    if let (Some(res), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(header::SET_COOKIE, v);
    }
}

/// Says what this page shows (see `page_cache::tags`): the page cache keeps such pages for
/// anonymous readers and drops them when any of it changes.
pub fn cache_tags(tags: Vec<String>) {
    append_internal_header(crate::server::page_cache::TAGS_HEADER, &tags.join(" "));
}

/// Names the article whose page this is, so a cached copy still counts its readers' views.
pub fn counts_view_of(article_id: i64) {
    append_internal_header(
        crate::server::page_cache::VIEW_HEADER,
        &article_id.to_string(),
    );
}

fn append_internal_header(name: &'static str, value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(value),
    ) {
        res.append_header(axum::http::HeaderName::from_static(name), v);
    }
}
