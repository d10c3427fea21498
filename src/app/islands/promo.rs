//! The dismissible promo banner.

use crate::api::site::DismissPromo;
use leptos::{form::ActionForm, prelude::*};

/// Shows the banner; "Dismiss" posts to a server function (a plain form without JavaScript,
/// answered in place with it) and hides the banner.
#[island]
pub fn PromoBannerIsland(
    id: String,
    text: String,
    link_label: String,
    link_href: String,
) -> impl IntoView {
    let dismiss = ServerAction::<DismissPromo>::new();
    let dismissed = move || matches!(dismiss.value().get(), Some(Ok(())));
    let (id, text, link_label, link_href) = (
        StoredValue::new(id),
        StoredValue::new(text),
        StoredValue::new(link_label),
        StoredValue::new(link_href),
    );
    view! {
        <Show when=move || !dismissed()>
            <aside class="promo" aria-label="Announcement">
                <p class="promo__text">
                    {text.get_value()} " " <a href=link_href.get_value()>{link_label.get_value()}</a>
                </p>
                <ActionForm action=dismiss>
                    <input type="hidden" name="id" value=id.get_value() />
                    <button class="promo__dismiss" type="submit">
                        "Dismiss"
                        <span class="visually-hidden">" announcement"</span>
                    </button>
                </ActionForm>
            </aside>
        </Show>
    }
}
