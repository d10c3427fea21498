//! The article body editor: a Markdown toolbar, keyboard shortcuts, a live preview rendered
//! by the server (so it is exactly what readers will see) and autosave. Without JavaScript it
//! is the plain textarea inside it.

use leptos::prelude::*;

/// Enhances the server-rendered body field it wraps. Lazy: its code is split into a separate
/// WebAssembly chunk that only editor pages download.
#[island(lazy)]
pub fn MarkdownEditor(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = root.get() {
            super::md::attach(el.into());
        }
    });
    view! {
        <div class="md-editor" node_ref=root>
            {children()}
        </div>
    }
}
