//! Browser-side helpers for islands: a small `fetch` client for server functions and DOM
//! updates. Written against `web-sys` and `js-sys` directly because the generic server-function
//! client (serde_qs, gloo-net, serde_json) measured +41 KB brotli, more than all islands together.

use js_sys::{JSON, Reflect};
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, FormData, HtmlFormElement, RequestInit, Response, UrlSearchParams};

/// What a server function answered, read without a JSON deserializer.
pub struct Answer {
    pub ok: bool,
    pub json: JsValue,
}

impl Answer {
    /// A string field of the JSON answer.
    pub fn text(&self, key: &str) -> Option<String> {
        Reflect::get(&self.json, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    }

    /// `fields` of an error answer: (field, message) pairs.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        let Ok(fields) = Reflect::get(&self.json, &JsValue::from_str("fields")) else {
            return vec![];
        };
        let Ok(array) = fields.dyn_into::<js_sys::Array>() else {
            return vec![];
        };
        array
            .iter()
            .filter_map(|f| {
                let get = |k: &str| {
                    Reflect::get(&f, &JsValue::from_str(k))
                        .ok()
                        .and_then(|v| v.as_string())
                };
                Some((get("field")?, get("message")?))
            })
            .collect()
    }
}

/// Posts to a server function and reads its JSON answer.
pub async fn post(url: &str, body: &JsValue) -> Result<Answer, String> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let headers = web_sys::Headers::new().map_err(|_| "headers")?;
    headers
        .set("Accept", "application/json")
        .map_err(|_| "headers")?;
    init.set_headers(&headers);
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| "We could not reach the newsroom. Check your connection and try again.")?
        .dyn_into()
        .map_err(|_| "bad response")?;
    let text = JsFuture::from(response.text().map_err(|_| "bad response")?)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    let json = JSON::parse(&text).unwrap_or(JsValue::NULL);
    Ok(Answer {
        ok: response.ok(),
        json,
    })
}

/// The form's fields as a request body (URL-encoded, or multipart when it has files), plus the
/// name and value of the button that submitted it, as a plain form post would send.
pub fn form_body(form: &HtmlFormElement, submitter: Option<&Element>) -> Result<JsValue, String> {
    let data = FormData::new_with_form(form).map_err(|_| "form")?;
    if let Some(s) = submitter
        && let (Some(name), Some(value)) = (s.get_attribute("name"), s.get_attribute("value"))
    {
        let _ = data.append_with_str(&name, &value);
    }
    if form.enctype() == "multipart/form-data" {
        return Ok(data.into());
    }
    let params = UrlSearchParams::new_with_str_sequence_sequence(&data).map_err(|_| "form")?;
    Ok(params.into())
}

fn set_text(el: &Element, text: &str) {
    el.set_text_content(Some(text));
}

/// Shows the answer of a submission in the form.
fn show_answer(form: &HtmlFormElement, answer: Result<Answer, String>) {
    let status = form.query_selector("[data-form-status]").ok().flatten();
    // Clear old field errors.
    if let Ok(list) = form.query_selector_all("[data-error-for]") {
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                set_text(&el, "");
            }
        }
    }
    if let Ok(list) = form.query_selector_all("[aria-invalid]") {
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = el.remove_attribute("aria-invalid");
            }
        }
    }
    let (ok, message) = match &answer {
        Ok(a) => (
            a.ok,
            a.text("message")
                .unwrap_or_else(|| "Something went wrong on our side. Please try again.".into()),
        ),
        Err(e) => (false, e.clone()),
    };
    if let Ok(a) = &answer {
        if a.ok {
            apply_set(form, &a.json);
            if let Some(to) = a.text("redirect") {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&to);
                }
                return;
            }
        } else {
            let mut first: Option<Element> = None;
            for (field, msg) in a.field_errors() {
                let sel = format!("[data-error-for=\"{field}\"]");
                if let Ok(Some(el)) = form.query_selector(&sel) {
                    set_text(&el, &msg);
                }
                if let Ok(Some(input)) = form.query_selector(&format!("[name=\"{field}\"]")) {
                    let _ = input.set_attribute("aria-invalid", "true");
                    first.get_or_insert(input);
                }
            }
            if let Some(el) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    }
    if let Some(s) = &status {
        set_text(s, &message);
        let _ = s.set_attribute(
            "class",
            if ok {
                "form-status form-success"
            } else {
                "form-status form-error"
            },
        );
    }
    if ok {
        match form.get_attribute("data-on-success").as_deref() {
            Some("reset") => form.reset(),
            Some("replace") => {
                let done = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.create_element("p").ok());
                if let Some(p) = done {
                    set_text(&p, &message);
                    let _ = p.set_attribute("class", "form-success");
                    let _ = p.set_attribute("role", "status");
                    let _ = p.set_attribute("tabindex", "-1");
                    let _ = form.replace_with_with_node_1(&p);
                    if let Ok(p) = p.dyn_into::<web_sys::HtmlElement>() {
                        let _ = p.focus();
                    }
                }
            }
            Some("hide") => {
                let target = form
                    .get_attribute("data-hide")
                    .and_then(|sel| form.closest(&sel).ok().flatten());
                if let Some(t) = target {
                    let _ = t.set_attribute("hidden", "");
                }
            }
            Some("reload") => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
            _ => {}
        }
    }
}

/// Applies an answer's `set` pairs to the form's inputs (e.g. a new version number).
fn apply_set(form: &HtmlFormElement, json: &JsValue) {
    let Ok(pairs) = Reflect::get(json, &JsValue::from_str("set")) else {
        return;
    };
    let Ok(pairs) = pairs.dyn_into::<js_sys::Array>() else {
        return;
    };
    for pair in pairs.iter() {
        let Ok(pair) = pair.dyn_into::<js_sys::Array>() else {
            continue;
        };
        let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            continue;
        };
        if let Ok(Some(el)) = form.query_selector(&format!("[name=\"{name}\"]")) {
            if let Ok(input) = el.clone().dyn_into::<web_sys::HtmlInputElement>() {
                input.set_value(&value);
            } else if let Ok(area) = el.dyn_into::<web_sys::HtmlTextAreaElement>() {
                area.set_value(&value);
            }
        }
    }
}

fn set_busy(form: &HtmlFormElement, busy: bool) {
    if let Ok(list) = form.query_selector_all("button[type=submit], button:not([type])") {
        for i in 0..list.length() {
            if let Some(b) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlButtonElement>().ok())
            {
                b.set_disabled(busy);
            }
        }
    }
    let _ = form.set_attribute("aria-busy", if busy { "true" } else { "false" });
}

/// Handles a `submit` event from a form inside an `EnhancedForm` island.
pub fn enhance_submit(ev: leptos::ev::SubmitEvent) {
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    // Forms that opt out (e.g. sign-in, which must set a cookie and navigate) post normally.
    if form.has_attribute("data-plain")
        || form.get_attribute("aria-busy").as_deref() == Some("true")
    {
        if form.get_attribute("aria-busy").as_deref() == Some("true") {
            ev.prevent_default();
        }
        return;
    }
    ev.prevent_default();
    let submitter = ev.submitter();
    let Ok(body) = form_body(&form, submitter.as_deref()) else {
        return;
    };
    let action = submitter
        .as_ref()
        .and_then(|s| s.get_attribute("formaction"))
        // The attribute, not `form.action`: a field named "action" shadows that property.
        .or_else(|| form.get_attribute("action"))
        .unwrap_or_default();
    set_busy(&form, true);
    spawn_local(async move {
        let answer = post(&action, &body).await;
        set_busy(&form, false);
        show_answer(&form, answer);
    });
}
