//! Newsroom: a server-rendered, hydrated news site.
//!
//! `app` renders pages (on the server, with islands hydrated in the browser), `api` holds the
//! server functions, `model` the types both sides share, and `server` everything server-only.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: hydrates the islands on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
