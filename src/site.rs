//! The composition root: the one place that joins the UI (`app`) to the server. It hands the
//! server the page routes and the live item views as a [`Frontend`]; everything below it
//! (`api`, the domain, the store) knows nothing of the UI.

use crate::{
    app::{
        App,
        components::{comments::render_comment_html, feed::render_item_html},
        shell,
    },
    server::{
        http::{Frontend, provide_request_context},
        live::LiveViews,
        state::AppState,
    },
};
use axum::Router;
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};

/// The newsroom's UI, as the server needs it.
pub static FRONTEND: Frontend = Frontend {
    pages,
    live: LiveViews {
        feed_item: render_item_html,
        comment: render_comment_html,
    },
};

/// Adds every Leptos page route, and the fallback that renders the 404 page.
fn pages(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context = {
        let state = state.clone();
        move || provide_request_context(&state)
    };
    let shell_fn = {
        let css = state.css_href.clone();
        move |opts: LeptosOptions| shell(opts, css.clone())
    };
    router
        .leptos_routes_with_context(state, routes, context.clone(), {
            let shell_fn = shell_fn.clone();
            move || shell_fn(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell_fn))
}
