//! `/newsletters` (the hub) and the pages behind the links in our emails: confirm, manage
//! preferences, unsubscribe. None needs an account; the links are signed.

use crate::{
    api::newsletters::{
        Confirm, SavePreferences, Subscribe, Unsubscribe, UnsubscribeAll, get_confirm_page,
        get_preferences,
    },
    app::{
        components::{
            forms::{Field, OnSuccess, RequiredNote, ServerForm, flash_for},
            newsletter::Honeypot,
            seo::PageMeta,
        },
        pages::{load_page, query_param},
    },
    model::{ConfirmPage, PreferencesPage, SiteInfo},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/newsletters`: every newsletter, pick several.
#[component]
pub fn NewslettersHub() -> impl IntoView {
    let site = use_context::<SiteInfo>();
    let letters = site.map(|s| s.newsletters).unwrap_or_default();
    let flash = flash_for("signup-hub");
    let choices = letters
        .into_iter()
        .map(|n| {
            let id = format!("hub-{}", n.slug);
            let label_for = id.clone();
            let name = format!("nl_{}", n.slug);
            let checked = flash.as_ref().is_some_and(|f| f.value(&name).is_some());
            view! {
                <li class="hub-choice">
                    <input type="checkbox" id=id name=name value="on" checked=checked />
                    <label for=label_for>
                        <strong>{n.name.clone()}</strong>
                        <span class="hub-choice__cadence">{n.cadence.clone()}</span>
                        <span class="hub-choice__description">{n.description.clone()}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    let choices_error = flash
        .as_ref()
        .and_then(|f| f.error_for("newsletters").map(str::to_owned));
    view! {
        <PageMeta title="Newsletters".to_owned()
            description="Our journalism in your inbox, free. Choose your newsletters.".to_owned()
            path="/newsletters".to_owned() />
        <div class="page page--narrow newsletters-hub">
            <h1>"Newsletters"</h1>
            <p class="listing__intro">"Our journalism in your inbox, free. Choose as many as you like."</p>
            <ServerForm id="signup-hub".to_owned() action=Subscribe::PATH on_success=OnSuccess::Replace label="Newsletter sign-up">
                <input type="hidden" name="form" value="signup-hub" />
                <RequiredNote />
                <fieldset class="field" aria-describedby="signup-hub-newsletters-error">
                    <legend>"Newsletters" <span class="required" aria-hidden="true">" *"</span></legend>
                    <ul class="hub-choices">{choices}</ul>
                    <span class="field__error" id="signup-hub-newsletters-error" data-error-for="newsletters">{choices_error}</span>
                </fieldset>
                <Field form="signup-hub".to_owned() name="email" label="Email address" kind="email"
                    required=true autocomplete="email" maxlength=254u32 />
                <Honeypot />
                <button type="submit">"Sign up"</button>
                <p class="fine-print">
                    "We send a confirmation email first, and every email has a one-click unsubscribe link."
                </p>
            </ServerForm>
        </div>
    }
}

/// `/newsletters/confirm?token=`: a button, because link scanners follow links.
#[component]
pub fn ConfirmSubscription() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    load_page(
        get_confirm_page(token),
        |page| view! { <ConfirmView page /> },
    )
}

#[component]
fn ConfirmView(page: ConfirmPage) -> impl IntoView {
    let body = match page.problem {
        Some(problem) => view! {
            <p class="form-error" role="alert">{problem}</p>
            <p><a href="/newsletters">"Sign up again"</a></p>
        }
        .into_any(),
        None => {
            let list = page.newsletters.join(", ");
            view! {
                <p>{format!("Confirm that {} wants to receive: {list}.", page.email)}</p>
                <ServerForm id="confirm".to_owned() action=Confirm::PATH on_success=OnSuccess::Replace label="Confirm subscription">
                    <input type="hidden" name="token" value=page.token />
                    <button type="submit">"Confirm my subscription"</button>
                </ServerForm>
            }
            .into_any()
        }
    };
    view! {
        <PageMeta title="Confirm your subscription".to_owned() description="Confirm your newsletter subscription.".to_owned()
            path="/newsletters/confirm".to_owned() noindex=true />
        <div class="page page--narrow">
            <h1>"Confirm your subscription"</h1>
            {body}
        </div>
    }
}

/// `/newsletters/preferences?token=`
#[component]
pub fn NewsletterPreferences() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    load_page(
        get_preferences(token),
        |page| view! { <PreferencesView page /> },
    )
}

#[component]
fn PreferencesView(page: PreferencesPage) -> impl IntoView {
    let (token, token_all) = (page.token.clone(), page.token.clone());
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let id = format!("pref-{}", r.newsletter.slug);
            let label_for = id.clone();
            view! {
                <li class="hub-choice">
                    <input type="checkbox" id=id name=format!("nl_{}", r.newsletter.slug) value="on" checked=r.subscribed />
                    <label for=label_for>
                        <strong>{r.newsletter.name.clone()}</strong>
                        <span class="hub-choice__cadence">{r.newsletter.cadence.clone()}</span>
                        {r.pending.then(|| view! { <span class="hub-choice__description">"Waiting for your confirmation."</span> })}
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <PageMeta title="Your newsletters".to_owned() description="Manage your newsletters.".to_owned()
            path="/newsletters/preferences".to_owned() noindex=true />
        <div class="page page--narrow">
            <h1>"Your newsletters"</h1>
            <p>{format!("Newsletters sent to {}.", page.email)}</p>
            <ServerForm id="preferences".to_owned() action=SavePreferences::PATH label="Newsletter preferences">
                <input type="hidden" name="token" value=token />
                <ul class="hub-choices">{rows}</ul>
                <button type="submit">"Save my choices"</button>
            </ServerForm>
            <ServerForm id="unsubscribe-all".to_owned() action=UnsubscribeAll::PATH on_success=OnSuccess::Replace label="Unsubscribe from all">
                <input type="hidden" name="token" value=token_all />
                <button type="submit" class="button--outline">"Unsubscribe from all"</button>
            </ServerForm>
        </div>
    }
}

/// `/newsletters/unsubscribe?token=` (a POST to the same address unsubscribes in one click).
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    view! {
        <PageMeta title="Unsubscribe".to_owned() description="Unsubscribe from a newsletter.".to_owned()
            path="/newsletters/unsubscribe".to_owned() noindex=true />
        <div class="page page--narrow">
            <h1>"Unsubscribe"</h1>
            <p>"Press the button to stop receiving this newsletter. You can sign up again at any time."</p>
            <ServerForm id="unsubscribe".to_owned() action=Unsubscribe::PATH on_success=OnSuccess::Replace label="Unsubscribe">
                <input type="hidden" name="token" value=token />
                <button type="submit">"Unsubscribe"</button>
            </ServerForm>
        </div>
    }
}
