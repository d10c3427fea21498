//! Server-rendered form building blocks: they show a no-JavaScript result (the flash) and put
//! back what the reader typed; the `EnhancedForm` island updates the same markup in place.

use crate::{app::islands::form::EnhancedForm, model::Flash};
use leptos::prelude::*;

/// The flash for form `id`, if the last plain post was from it.
pub fn flash_for(id: &str) -> Option<Flash> {
    crate::app::http::request_flash().filter(|f| f.form == id)
}

/// What a form does after a successful in-place submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnSuccess {
    /// Show the message, keep the form.
    #[default]
    Message,
    /// Show the message and clear the form.
    Reset,
    /// Replace the form with the message.
    Replace,
    /// Hide the nearest ancestor matching a selector.
    Hide(&'static str),
    /// Reload the page.
    Reload,
}

/// A form posting to a server function, enhanced in place when JavaScript runs.
#[component]
pub fn ServerForm(
    /// Unique on the page; also the fragment the no-JS redirect returns to.
    id: String,
    /// The server function's URL (`<Fn as ServerFn>::PATH`).
    action: &'static str,
    #[prop(optional)] on_success: OnSuccess,
    #[prop(optional)] multipart: bool,
    #[prop(optional)] class: &'static str,
    /// Accessible name of the form.
    #[prop(optional, into)]
    label: Option<String>,
    children: Children,
) -> impl IntoView {
    let flash = flash_for(&id);
    let (status_class, status_text) = match &flash {
        Some(f) if f.ok => ("form-status form-success", f.message.clone()),
        Some(f) => ("form-status form-error", f.message.clone()),
        None => ("form-status", String::new()),
    };
    // After a successful plain post a "replace" form shows only its message, as with JS.
    let replaced = flash.as_ref().is_some_and(|f| f.ok) && on_success == OnSuccess::Replace;
    let (mode, hide) = match on_success {
        OnSuccess::Message => ("message", None),
        OnSuccess::Reset => ("reset", None),
        OnSuccess::Replace => ("replace", None),
        OnSuccess::Hide(sel) => ("hide", Some(sel)),
        OnSuccess::Reload => ("reload", None),
    };
    if replaced {
        return view! {
            <p id=id class="form-success" role="status">
                {status_text}
            </p>
        }
        .into_any();
    }
    // Built inside the island's children, as before, so nested components render in order.
    let form = move || {
        view! {
            <form
                id=id
                class=class
                method="post"
                action=action
                enctype=multipart.then_some("multipart/form-data")
                data-on-success=mode
                data-hide=hide
                aria-label=label
            >
                {children()}
                <p class=status_class data-form-status role="status" aria-live="polite">
                    {status_text}
                </p>
            </form>
        }
    };
    if use_context::<PlainForms>().is_some() {
        return form().into_any();
    }
    view! { <EnhancedForm>{form()}</EnhancedForm> }.into_any()
}

/// Provided while rendering HTML outside a page (items pushed to open pages): forms render
/// without their island wrapper, and the live list enhances them instead.
#[derive(Clone, Copy, Debug)]
pub struct PlainForms;

/// What a field shows: its value (the reader's text after a failed plain post), its error, and
/// the ids that tie label, hint and error together.
struct FieldState {
    value: String,
    error: Option<String>,
    id: String,
    hint_id: String,
    error_id: String,
    described: String,
}

impl FieldState {
    fn new(form: &str, name: &str, value: String, secret: bool, has_hint: bool) -> Self {
        let flash = flash_for(form);
        let value = flash
            .as_ref()
            .and_then(|f| f.value(name).map(str::to_owned))
            .filter(|_| !secret)
            .unwrap_or(value);
        let error = flash
            .as_ref()
            .and_then(|f| f.error_for(name).map(str::to_owned));
        let id = format!("{form}-{name}");
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let described = if has_hint {
            format!("{hint_id} {error_id}")
        } else {
            error_id.clone()
        };
        FieldState {
            value,
            error,
            id,
            hint_id,
            error_id,
            described,
        }
    }
}

/// A labelled input with its hint and error slot.
#[component]
pub fn Field(
    /// The form's id (to find the flash).
    form: String,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] placeholder: Option<&'static str>,
    /// Passwords are never put back into the page.
    #[prop(optional)]
    secret: bool,
) -> impl IntoView {
    let FieldState {
        value,
        error,
        id,
        hint_id,
        error_id,
        described,
    } = FieldState::new(&form, name, value, secret, hint.is_some());
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {hint.map(|h| view! { <span class="field__hint" id=hint_id>{h}</span> })}
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                aria-required=required.then_some("true")
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=described
                autocomplete=autocomplete
                maxlength=maxlength
                placeholder=placeholder
            />
            <span class="field__error" id=error_id data-error-for=name>
                {error}
            </span>
        </div>
    }
}

/// A labelled textarea with its hint and error slot.
#[component]
pub fn TextArea(
    form: String,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(default = 6)] rows: u32,
) -> impl IntoView {
    let FieldState {
        value,
        error,
        id,
        hint_id,
        error_id,
        described,
    } = FieldState::new(&form, name, value, false, hint.is_some());
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {hint.map(|h| view! { <span class="field__hint" id=hint_id>{h}</span> })}
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=described
                maxlength=maxlength
            >
                {value}
            </textarea>
            <span class="field__error" id=error_id data-error-for=name>
                {error}
            </span>
        </div>
    }
}

/// The "* indicates required" note.
#[component]
pub fn RequiredNote() -> impl IntoView {
    view! {
        <p class="required-note">
            <span class="required" aria-hidden="true">"*"</span>
            " indicates required"
        </p>
    }
}
