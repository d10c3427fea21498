//! One file per reader page.

pub mod account;
pub mod article;
pub mod editor;
pub mod error;
pub mod front;
pub mod listing;
pub mod news_feed;
pub mod newsletters;
pub mod not_found;
pub mod search;
pub mod signin;
pub mod slug;

use crate::{app::pages::error::ErrorView, model::AppError};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

/// Loads a page's data once during the server render, then renders it, or the error page with
/// the error's status. Used with `SsrMode::Async`, so `<head>` metadata set by `render` is in
/// the first response.
pub fn load_page<T, V>(
    data: impl Future<Output = Result<T, AppError>> + Send + 'static,
    render: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let data = OnceResource::new(data);
    let render = Arc::new(render);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => render(value).into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The `?page=` number: 1 when absent, 0 (which no listing has) when not a number.
pub fn page_param() -> u32 {
    match use_query_map().get_untracked().get("page") {
        None => 1,
        Some(p) => p.parse().unwrap_or(0),
    }
}

/// A query parameter, read once during the server render.
pub fn query_param(name: &str) -> Option<String> {
    use_query_map().get_untracked().get(name)
}

/// A route parameter, read once during the server render.
pub fn route_param(name: &str) -> String {
    leptos_router::hooks::use_params_map()
        .get_untracked()
        .get(name)
        .unwrap_or_default()
}
