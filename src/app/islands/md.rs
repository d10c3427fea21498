//! Browser behaviour of the Markdown editor island.

use super::dom;
use crate::api::editor::{Autosave, PreviewBody};
use gloo_timers::callback::{Interval, Timeout};
use leptos::{server_fn::ServerFn, task::spawn_local};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{HtmlElement, HtmlFormElement, HtmlTextAreaElement, KeyboardEvent, UrlSearchParams};

/// Wraps the selection (or inserts at the cursor) and keeps it selected.
fn wrap(area: &HtmlTextAreaElement, before: &str, after: &str, placeholder: &str) {
    let value = area.value();
    let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
    let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
    // Selection offsets are UTF-16 code units.
    let units: Vec<u16> = value.encode_utf16().collect();
    let (start, end) = (start.min(units.len()), end.min(units.len()));
    let selected = String::from_utf16_lossy(&units[start..end]);
    let inner = if selected.is_empty() {
        placeholder.to_owned()
    } else {
        selected
    };
    let text = format!("{before}{inner}{after}");
    let _ = area.set_range_text_with_start_and_end(&text, start as u32, end as u32);
    let inner_start = start + before.encode_utf16().count();
    let _ = area.set_selection_range(
        inner_start as u32,
        (inner_start + inner.encode_utf16().count()) as u32,
    );
    let _ = area.focus();
}

/// Prefixes the current line.
fn prefix_line(area: &HtmlTextAreaElement, prefix: &str) {
    let value = area.value();
    let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
    let units: Vec<u16> = value.encode_utf16().collect();
    let start = start.min(units.len());
    let line_start = units[..start]
        .iter()
        .rposition(|u| *u == b'\n' as u16)
        .map(|i| i + 1)
        .unwrap_or(0);
    let _ = area.set_range_text_with_start_and_end(prefix, line_start as u32, line_start as u32);
    let _ = area.focus();
}

fn apply(area: &HtmlTextAreaElement, action: &str) {
    match action {
        "bold" => wrap(area, "**", "**", "bold text"),
        "italic" => wrap(area, "_", "_", "italic text"),
        "heading" => prefix_line(area, "## "),
        "quote" => prefix_line(area, "> "),
        "list" => prefix_line(area, "- "),
        "link" => wrap(area, "[", "](https://)", "link text"),
        "related" => {
            let slug = web_sys::window()
                .and_then(|w| {
                    w.prompt_with_message("Address (slug) of the related story:")
                        .ok()
                })
                .flatten()
                .unwrap_or_default();
            if !slug.trim().is_empty() {
                wrap(area, "\n\n{{related:", "}}\n\n", slug.trim());
            }
        }
        _ => return,
    }
    // Let the preview and autosave know.
    if let Ok(ev) = web_sys::Event::new("input") {
        let _ = area.dispatch_event(&ev);
    }
}

/// The form's text values as a JSON array of `[name, value]` pairs (files are skipped).
fn form_values_json(form: &HtmlFormElement) -> Option<String> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let pairs = js_sys::Array::new();
    let iter = js_sys::try_iter(&data).ok()??;
    for entry in iter.flatten() {
        let entry: js_sys::Array = entry.dyn_into().ok()?;
        let (Some(k), Some(v)) = (entry.get(0).as_string(), entry.get(1).as_string()) else {
            continue;
        };
        if matches!(k.as_str(), "id" | "version" | "intent") {
            continue;
        }
        let pair = js_sys::Array::new();
        pair.push(&JsValue::from_str(&k));
        pair.push(&JsValue::from_str(&v));
        pairs.push(&pair);
    }
    js_sys::JSON::stringify(&pairs).ok()?.as_string()
}

fn set_status(root: &HtmlElement, text: &str) {
    if let Ok(Some(el)) = root.query_selector("[data-autosave-status]") {
        el.set_text_content(Some(text));
    }
}

/// Wires up the toolbar, shortcuts, preview and autosave under `root`.
pub fn attach(root: HtmlElement) {
    let Some(area) = root
        .query_selector("textarea")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
    else {
        return;
    };
    let Some(form) = area.form() else { return };
    let toolbar = root
        .query_selector("[data-md]")
        .ok()
        .flatten()
        .and_then(|b| b.parent_element());
    let preview = root.query_selector("[data-md-preview]").ok().flatten();
    if let Some(t) = &toolbar {
        let _ = t.remove_attribute("hidden");
        let area = area.clone();
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                let action = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|e| e.closest("[data-md]").ok().flatten())
                    .and_then(|e| e.get_attribute("data-md"));
                if let Some(a) = action {
                    apply(&area, &a);
                }
            });
        let _ = t.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
    }
    if let Some(p) = &preview {
        let _ = p.remove_attribute("hidden");
    }

    let dirty = Rc::new(RefCell::new(false));
    let pending_preview: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));

    let mode = root
        .query_selector("[data-preview-mode]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-preview-mode"))
        .unwrap_or_else(|| "article".into());
    let refresh_preview = {
        let area = area.clone();
        let preview = preview.clone();
        move || {
            let Some(p) = preview.clone() else { return };
            let body = area.value();
            let mode = mode.clone();
            spawn_local(async move {
                let params = UrlSearchParams::new().expect("URLSearchParams");
                params.append("body", &body);
                params.append("mode", &mode);
                if let Ok(answer) = dom::post(PreviewBody::PATH, &params.into()).await
                    && answer.ok
                    && let Some(html) = answer.json.as_string()
                {
                    // Sanitized by the server with the same allowlist readers get.
                    p.set_inner_html(&html);
                }
            });
        }
    };
    refresh_preview();

    {
        let dirty = dirty.clone();
        let pending = pending_preview.clone();
        let refresh = refresh_preview.clone();
        let on_input = Closure::<dyn Fn()>::new(move || {
            *dirty.borrow_mut() = true;
            let refresh = refresh.clone();
            *pending.borrow_mut() = Some(Timeout::new(400, refresh));
        });
        let _ = area.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
        let _ = form.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
        on_input.forget();
    }

    {
        let area2 = area.clone();
        let form2 = form.clone();
        let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
            if !(ev.ctrl_key() || ev.meta_key()) {
                return;
            }
            if ev.key() == "Enter" {
                ev.prevent_default();
                if let Ok(Some(b)) = form2.query_selector("[data-primary]")
                    && let Ok(b) = b.dyn_into::<HtmlElement>()
                {
                    b.click();
                }
                return;
            }
            let action = match ev.key().to_lowercase().as_str() {
                "b" => "bold",
                "i" => "italic",
                "k" => "link",
                "s" => {
                    ev.prevent_default();
                    if let Ok(Some(b)) = form2.query_selector("button[value=save]")
                        && let Ok(b) = b.dyn_into::<HtmlElement>()
                    {
                        b.click();
                    }
                    return;
                }
                _ => return,
            };
            ev.prevent_default();
            apply(&area2, action);
        });
        let _ = area.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        on_key.forget();
    }

    // Saving clears "unsaved"; leaving with unsaved text asks first.
    {
        let dirty_on_submit = dirty.clone();
        let on_submit = Closure::<dyn Fn()>::new(move || *dirty_on_submit.borrow_mut() = false);
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        on_submit.forget();
        let dirty = dirty.clone();
        let on_leave = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
            move |ev: web_sys::BeforeUnloadEvent| {
                if *dirty.borrow() {
                    ev.prevent_default();
                    ev.set_return_value("You have unsaved changes.");
                }
            },
        );
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback(
                "beforeunload",
                on_leave.as_ref().unchecked_ref(),
            );
        }
        on_leave.forget();
    }

    // Autosave (articles only) every 10 seconds while there are changes since the last one.
    if root
        .query_selector("[data-autosave]")
        .ok()
        .flatten()
        .is_none()
    {
        return;
    }
    let article_id = form
        .query_selector("input[name=id]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("value"))
        .unwrap_or_else(|| "0".into());
    let last_sent: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let interval = Interval::new(10_000, move || {
        if !*dirty.borrow() {
            return;
        }
        let Some(values) = form_values_json(&form) else {
            return;
        };
        if last_sent.borrow().as_deref() == Some(values.as_str()) {
            return;
        }
        *last_sent.borrow_mut() = Some(values.clone());
        let params = UrlSearchParams::new().expect("URLSearchParams");
        params.append("article_id", &article_id);
        params.append("values", &values);
        let root = root.clone();
        spawn_local(async move {
            match dom::post(Autosave::PATH, &params.into()).await {
                Ok(a) if a.ok => set_status(&root, &a.text("message").unwrap_or_default()),
                _ => set_status(
                    &root,
                    "Autosave failed; your text is still here. Save to keep it.",
                ),
            }
        });
    });
    interval.forget();
}
