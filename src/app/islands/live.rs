//! The live News Feed list: new, edited and deleted updates appear without a reload.

use leptos::prelude::*;

/// Subscribes the server-rendered list inside it to live updates (Server-Sent Events).
/// New items wait behind an "N new updates" button while the reader is scrolled down or has
/// paused updates; a polite live region announces them. Without JavaScript the list is the
/// server-rendered page, refreshed by its "Show latest" link.
#[island]
pub fn LiveFeed(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = root.get() {
            super::live_client::attach(el.into());
        }
    });
    view! {
        <div class="live" node_ref=root>
            {children()}
        </div>
    }
}
