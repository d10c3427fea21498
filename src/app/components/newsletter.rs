//! The newsletter sign-up form, used in articles, the footer, the front page and the hub.

use crate::{
    api::newsletters::Subscribe,
    app::components::forms::{Field, OnSuccess, RequiredNote, ServerForm},
    model::{NewsletterInfo, SiteInfo},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// A sign-up form for one newsletter (the first configured one when none is given).
#[component]
pub fn NewsletterSignup(
    /// One of `api::newsletters::SIGNUP_FORMS`.
    form: &'static str,
    #[prop(optional)] newsletter: Option<NewsletterInfo>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let Some(n) = newsletter
        .or_else(|| use_context::<SiteInfo>().and_then(|s| s.newsletters.first().cloned()))
    else {
        return ().into_any();
    };
    let heading_id = format!("{form}-heading");
    let labelled = heading_id.clone();
    let tick = format!("nl_{}", n.slug);
    view! {
        <section class=if compact { "newsletter-signup newsletter-signup--compact" } else { "newsletter-signup" }
            aria-labelledby=labelled>
            <h2 id=heading_id class="newsletter-signup__title">{format!("Get {}", n.name)}</h2>
            <p class="newsletter-signup__pitch">{n.description.clone()}</p>
            <ServerForm id=form.to_owned() action=Subscribe::PATH on_success=OnSuccess::Replace
                label=format!("Sign up for {}", n.name)>
                <input type="hidden" name="form" value=form />
                <input type="hidden" name=tick value="on" />
                <RequiredNote />
                <Field form=form.to_owned() name="email" label="Email address" kind="email"
                    required=true autocomplete="email" maxlength=254u32 />
                <Honeypot />
                <button type="submit">"Sign up"</button>
                <p class="fine-print">"We send a confirmation email first. Unsubscribe any time."</p>
            </ServerForm>
        </section>
    }
    .into_any()
}

/// A field people never see or reach; bots that fill every field reveal themselves.
#[component]
pub fn Honeypot() -> impl IntoView {
    view! {
        <div class="hp" aria-hidden="true">
            <label>
                "Leave this empty"
                <input type="text" name="website" tabindex="-1" autocomplete="off" value="" />
            </label>
        </div>
    }
}
