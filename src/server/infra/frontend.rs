//! What the UI layer hands the server at start-up. The server never imports the UI: the
//! composition root (`crate::site`) fills in a [`Frontend`] and passes it down, so arrows
//! point one way (app → api → domain → store) while the server still serves the app's pages
//! and pushes live items in the app's markup.

use crate::server::{live::LiveViews, state::AppState};
use axum::Router;

/// The UI's contribution to the server.
#[derive(Clone, Copy)]
pub struct Frontend {
    /// Adds the UI's page routes (and its fallback for unknown paths) to the router.
    pub pages: fn(Router<AppState>, &AppState) -> Router<AppState>,
    /// How live items (News Feed updates, comments) render when pushed to open pages.
    pub live: LiveViews,
}
