//! The in-app editing views (`/editor/...`), for signed-in staff.

pub mod article;
pub mod audit;
pub mod list;
pub mod live;
pub mod moderation;
pub mod newsletters;
pub mod revision;
pub mod users;

use crate::{
    api::auth::SignOut,
    app::components::forms::ServerForm,
    model::{Role, Viewer},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Meta;

/// The editor chrome: navigation by role, who is signed in, sign-out.
#[component]
pub fn EditorShell(viewer: Viewer, children: Children) -> impl IntoView {
    let links: Vec<(&str, &str, Role)> = vec![
        ("/editor", "Articles", Role::Contributor),
        ("/editor/articles/new", "New article", Role::Contributor),
        ("/editor/live", "Live feed", Role::Editor),
        ("/editor/newsletters", "Newsletters", Role::Editor),
        ("/editor/moderation", "Moderation", Role::Editor),
        ("/editor/audit", "Audit log", Role::Editor),
        ("/editor/users", "Users", Role::Admin),
    ];
    let nav = links
        .into_iter()
        .filter(|(_, _, r)| viewer.can(*r))
        .map(|(href, label, _)| view! { <li><a href=href>{label}</a></li> })
        .collect_view();
    view! {
        <Meta name="robots" content="noindex, nofollow" />
        <div class="editor">
            <nav class="editor-nav" aria-label="Editor">
                <ul>{nav}</ul>
                <div class="editor-nav__who">
                    <span>{format!("{} · {}", viewer.name, viewer.role.label())}</span>
                    <ServerForm id="signout".to_owned() action=SignOut::PATH label="Sign out">
                        <button class="button--small button--outline" type="submit">"Sign out"</button>
                    </ServerForm>
                </div>
            </nav>
            {children()}
        </div>
    }
}

/// Shown when a signed-in staff member lacks the role for a page.
#[component]
pub fn Forbidden() -> impl IntoView {
    crate::app::http::set_status(403);
    view! {
        <div class="page page--narrow">
            <h1>"You do not have access to this page"</h1>
            <p>"Ask an administrator if you need it."</p>
            <p><a href="/editor">"Back to the articles"</a></p>
        </div>
    }
}

/// A status label.
#[component]
pub fn StatusBadge(status: crate::model::ArticleStatus) -> impl IntoView {
    let s = status.as_str();
    view! { <span class=format!("badge badge--{s}")>{s}</span> }
}
