//! Progressive enhancement for server-function forms.

use leptos::prelude::*;

/// Wraps server-rendered forms. Without JavaScript they post and the server redirects back
/// with the result; with it, submissions go through `fetch` and the answer appears in place
/// (status text, field errors, and the form's `data-on-success` behaviour).
#[island]
pub fn EnhancedForm(children: Children) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        super::dom::enhance_submit(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="enhanced-form" on:submit=on_submit>
            {children()}
        </div>
    }
}
