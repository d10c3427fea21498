//! Response status and headers from inside a page render (no-ops in the browser).

/// Sets the HTTP status of the page being rendered.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(
            axum::http::StatusCode::from_u16(code)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Answers the page with a permanent redirect to `path`.
pub fn redirect_permanent(path: &str) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(v)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(path),
    ) {
        res.set_status(axum::http::StatusCode::MOVED_PERMANENTLY);
        res.insert_header(axum::http::header::LOCATION, v);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}

/// Sets a response header of the page being rendered.
pub fn set_header(name: &'static str, value: &str) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(v)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(value),
    ) {
        res.insert_header(axum::http::HeaderName::from_static(name), v);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = (name, value);
}

/// The page's Content-Security-Policy: scripts only with this response's nonce (and what they
/// load), WebAssembly allowed, nothing framed, forms only to this site.
pub fn content_security_policy(nonce: &str, dev_reload: bool) -> String {
    let connect = if dev_reload {
        "'self' ws: wss:"
    } else {
        "'self'"
    };
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The result of a plain form post named by this request's `?flash=` (loaded by middleware
/// before rendering, so every component can read it synchronously).
pub fn request_flash() -> Option<crate::model::Flash> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::model::Flash>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The value of a request cookie during a server render.
pub fn request_cookie(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        crate::api::ctx::cookie(name)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        None
    }
}
