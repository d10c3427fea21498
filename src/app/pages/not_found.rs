//! The 404 page.

use crate::app::http::set_status;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// The route table's fallback: answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! { <NotFoundBody /> }
}

/// The 404 content (the caller sets the status).
#[component]
pub fn NotFoundBody() -> impl IntoView {
    view! {
        <Title text="Page not found" />
        <Meta name="robots" content="noindex" />
        <div class="page page--narrow not-found">
            <h1>"We could not find that page"</h1>
            <p>"The link may be broken, or the story may have moved."</p>
            <form class="search-box search-box--large" role="search" action="/search" method="get">
                <label for="nf-search">"Search the Ledger"</label>
                <input id="nf-search" name="q" type="search" />
                <button type="submit">"Search"</button>
            </form>
            <p>
                <a href="/">"Go to the front page"</a>
            </p>
        </div>
    }
}
