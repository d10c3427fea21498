//! Newsroom: a server-rendered, hydrated news site.
//!
//! `app` renders pages (on the server, with islands hydrated in the browser), `api` holds the
//! server functions, `model` the types both sides share, and `server` everything server-only
//! (the domain, the store and the infrastructure). `site` joins the UI to the server; see
//! ARCHITECTURE.md for the layers and the rules between them.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod site;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

/// The browser entry point: hydrates the islands on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
    // Lets tests (and curious readers' devtools) see that the islands are live.
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("data-hydrated", "");
    }
}
