//! Stable `?page=N` pagination links.

use leptos::prelude::*;

/// Newer/older links for page `page` of `last`, under `base` (which may carry a query).
#[component]
pub fn Pagination(base: String, page: u32, last: u32) -> impl IntoView {
    let join = if base.contains('?') { '&' } else { '?' };
    let href = move |p: u32| {
        if p <= 1 {
            base.clone()
        } else {
            format!("{base}{join}page={p}")
        }
    };
    (last > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pagination">
                {(page > 1)
                    .then(|| view! { <a rel="prev" href=href(page - 1)>"← Newer"</a> })}
                <span class="pagination__status" aria-current="page">
                    {format!("Page {page} of {last}")}
                </span>
                {(page < last)
                    .then(|| view! { <a rel="next" href=href(page + 1)>"Older →"</a> })}
            </nav>
        }
    })
}
