//! Readers' account pages: sign in by emailed link, choose a display name, manage newsletters.

use crate::{
    api::account::{SendLink, SetName, SignOut, Verify, get_account_page},
    app::{
        components::{
            forms::{Field, OnSuccess, ServerForm},
            seo::PageMeta,
        },
        pages::{load_page, query_param},
    },
    model::AccountPage,
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/account`
#[component]
pub fn Account() -> impl IntoView {
    load_page(get_account_page(), |page| view! { <AccountView page /> })
}

#[component]
fn AccountView(page: AccountPage) -> impl IntoView {
    let next = query_param("next").filter(|n| crate::api::auth::local_path(n).is_some());
    let body = match page.reader {
        None => view! {
            <p>"Sign in to comment. We email you a link; there is no password to remember."</p>
            <ServerForm id="reader-signin".to_owned() action=SendLink::PATH on_success=OnSuccess::Replace label="Reader sign-in">
                <input type="hidden" name="next" value=next.clone().unwrap_or_else(|| "/".into()) />
                <input type="hidden" name="form" value="reader-signin" />
                <Field form="reader-signin".to_owned() name="email" label="Your email" kind="email" required=true autocomplete="email" />
                <button type="submit">"Email me a sign-in link"</button>
            </ServerForm>
        }
        .into_any(),
        Some(r) => view! {
            <p>{format!("Signed in as {}.", r.email)}</p>
            <ServerForm id="reader-name".to_owned() action=SetName::PATH label="Display name">
                <input type="hidden" name="next" value=next.clone().unwrap_or_default() />
                <Field form="reader-name".to_owned() name="display_name" label="Name shown with your comments"
                    required=true value=r.display_name.clone() maxlength=40u32
                    hint="2 to 40 characters. It is public." />
                <button type="submit">"Save name"</button>
            </ServerForm>
            {match page.newsletter_preferences {
                Some(href) => view! { <p><a href=href>"Manage your newsletters"</a></p> }.into_any(),
                None => view! { <p><a href="/newsletters">"Get our newsletters"</a>" — sign up with the same address."</p> }.into_any(),
            }}
            <ServerForm id="reader-signout".to_owned() action=SignOut::PATH label="Sign out">
                <button type="submit" class="button--outline">"Sign out"</button>
            </ServerForm>
        }
        .into_any(),
    };
    view! {
        <PageMeta title="Your account".to_owned() description="Your reader account.".to_owned()
            path="/account".to_owned() noindex=true />
        <div class="page page--narrow">
            <h1>"Your account"</h1>
            {body}
        </div>
    }
}

/// `/account/verify?token=`: a button, because link scanners follow links.
#[component]
pub fn VerifyLink() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    view! {
        <PageMeta title="Sign in".to_owned() description="Sign in to comment.".to_owned()
            path="/account/verify".to_owned() noindex=true />
        <div class="page page--narrow">
            <h1>"Sign in"</h1>
            <p>"Press the button to finish signing in on this device."</p>
            <ServerForm id="verify".to_owned() action=Verify::PATH label="Finish signing in">
                <input type="hidden" name="token" value=token />
                <button type="submit">"Sign me in"</button>
            </ServerForm>
        </div>
    }
}
