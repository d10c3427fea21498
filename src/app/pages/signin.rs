//! `/signin`: staff sign-in.

use crate::{
    api::auth::{SignIn, safe_next},
    app::components::{
        forms::{Field, ServerForm},
        seo::PageMeta,
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

/// The sign-in page (works without JavaScript).
#[component]
pub fn SignInPage() -> impl IntoView {
    let next = safe_next(use_query_map().get_untracked().get("next").as_deref());
    view! {
        <PageMeta
            title="Sign in".to_owned()
            description="Staff sign-in.".to_owned()
            path="/signin".to_owned()
            noindex=true
        />
        <div class="page page--narrow signin">
            <h1>"Staff sign-in"</h1>
            <p>"For the newsroom's editors and contributors. Readers do not need an account."</p>
            <ServerForm id="signin".to_owned() action=SignIn::PATH label="Sign in">
                <input type="hidden" name="next" value=next />
                <Field
                    form="signin".to_owned()
                    name="email"
                    label="Email"
                    kind="email"
                    required=true
                    autocomplete="username"
                />
                <Field
                    form="signin".to_owned()
                    name="password"
                    label="Password"
                    kind="password"
                    required=true
                    autocomplete="current-password"
                    secret=true
                />
                <button type="submit">"Sign in"</button>
            </ServerForm>
        </div>
    }
}
