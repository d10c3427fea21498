//! How a failed page load looks, with the right status code.

use crate::{
    app::{http::set_status, pages::not_found::NotFoundBody},
    model::AppError,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// Renders an error as a page and sets the response status.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_status(error.status_code());
    match error {
        AppError::NotFound => view! { <NotFoundBody /> }.into_any(),
        AppError::Gone => view! {
            <Title text="No longer available" />
            <Meta name="robots" content="noindex" />
            <div class="page page--narrow">
                <h1>"This article is no longer available"</h1>
                <p>"It has been withdrawn by the newsroom."</p>
                <p><a href="/">"Go to the front page"</a></p>
            </div>
        }
        .into_any(),
        other => view! {
            <Title text="Something went wrong" />
            <Meta name="robots" content="noindex" />
            <div class="page page--narrow">
                <h1>"Something went wrong"</h1>
                <p>{other.to_string()}</p>
                <p><a href="/">"Go to the front page"</a></p>
            </div>
        }
        .into_any(),
    }
}
