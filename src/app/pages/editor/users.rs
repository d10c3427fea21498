//! `/editor/users`: staff accounts (administrators only).

use super::{EditorShell, Forbidden};
use crate::{
    api::admin::{CreateUser, ResetPassword, UpdateUser, users},
    app::{
        components::{
            forms::{Field, RequiredNote, ServerForm, flash_for},
            seo::PageMeta,
        },
        pages::load_page,
    },
    model::{AppError, Role, UsersPage},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/editor/users`
#[component]
pub fn Users() -> impl IntoView {
    // A signed-in editor gets a 403 page with navigation rather than a bare error.
    let data = async { users().await };
    load_page(
        async move {
            match data.await {
                Err(AppError::Forbidden) => Ok(None),
                other => other.map(Some),
            }
        },
        |page| match page {
            Some(page) => view! { <UsersView page /> }.into_any(),
            None => view! { <Forbidden /> }.into_any(),
        },
    )
}

fn role_options(current: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == current>{r.label()}</option> })
        .collect_view()
}

#[component]
fn UsersView(page: UsersPage) -> impl IntoView {
    let new_role = flash_for("new-user")
        .and_then(|f| f.value("role").and_then(Role::parse))
        .unwrap_or(Role::Contributor);
    let rows = page
        .users
        .clone()
        .into_iter()
        .map(|u| {
            let form_id = format!("user-{}", u.id);
            let pw_id = format!("password-{}", u.id);
            let active_id = format!("active-{}", u.id);
            let active_for = active_id.clone();
            let role_id = format!("role-{}", u.id);
            let role_for = role_id.clone();
            view! {
                <li class="user-card">
                    <h2>{u.name.clone()}</h2>
                    <p>{u.email.clone()} {(!u.active).then(|| view! { " · " <strong>"deactivated"</strong> })}</p>
                    <ServerForm id=form_id action=UpdateUser::PATH label=format!("Role and access for {}", u.name)>
                        <input type="hidden" name="user_id" value=u.id />
                        <div class="field field--inline">
                            <label for=role_for>"Role"</label>
                            <select id=role_id name="role">{role_options(u.role)}</select>
                            <label class="check" for=active_for>
                                <input id=active_id type="checkbox" name="active" value="on" checked=u.active />
                                "Active"
                            </label>
                            <button type="submit" class="button--small">"Update"</button>
                        </div>
                    </ServerForm>
                    <ServerForm id=pw_id.clone() action=ResetPassword::PATH on_success=crate::app::components::forms::OnSuccess::Reset
                        label=format!("New password for {}", u.name)>
                        <input type="hidden" name="user_id" value=u.id />
                        <Field form=pw_id name="password" label="New password" kind="password"
                            autocomplete="new-password" secret=true hint="At least 12 characters." />
                        <button type="submit" class="button--small button--outline">"Set password"</button>
                    </ServerForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <PageMeta title="Users".to_owned() description="Staff accounts".to_owned() path="/editor/users".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <h1>"Users"</h1>
            <ul class="user-list">{rows}</ul>
            <section class="editor-panel" aria-labelledby="new-user-h">
                <h2 id="new-user-h">"Add a user"</h2>
                <ServerForm id="new-user".to_owned() action=CreateUser::PATH label="Add a user">
                    <RequiredNote />
                    <Field form="new-user".to_owned() name="name" label="Name" required=true />
                    <Field form="new-user".to_owned() name="email" label="Email" kind="email" required=true />
                    <div class="field">
                        <label for="new-user-role">"Role"</label>
                        <select id="new-user-role" name="role">{role_options(new_role)}</select>
                    </div>
                    <Field form="new-user".to_owned() name="password" label="Password" kind="password"
                        required=true secret=true autocomplete="new-password" hint="At least 12 characters." />
                    <button type="submit">"Add user"</button>
                </ServerForm>
            </section>
        </EditorShell>
    }
}
