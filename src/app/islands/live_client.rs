//! Browser behaviour of the live list: an `EventSource` that resumes from the last event it
//! saw, in-place updates, a queue while the reader is scrolled away or paused, local times.

use crate::model::LiveKind;
use js_sys::{JSON, Reflect};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{Element, EventSource, HtmlElement, MessageEvent};

struct Live {
    root: Element,
    list: Element,
    new_button: Option<HtmlElement>,
    pause_button: Option<HtmlElement>,
    status: Option<Element>,
    announce: Option<Element>,
    stream: String,
    last: i64,
    paused: bool,
    key_only: bool,
    limit: usize,
    /// "update" or "comment", for the "N new …" button.
    noun: String,
    /// Where new top-level items go: "top" (newest first, the default), "bottom" (oldest
    /// first, on the last page) or "elsewhere" (they belong on another page: the button
    /// leads to `more_href`).
    insert: String,
    more_href: Option<String>,
    queue: Vec<(i64, String)>,
    source: Option<EventSource>,
    backoff_ms: u32,
    closures: Vec<Closure<dyn FnMut(MessageEvent)>>,
}

type Shared = Rc<RefCell<Live>>;

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set_status(l: &Live, text: &str) {
    if let Some(s) = &l.status {
        s.set_text_content(Some(text));
    }
}

fn parse_html(html: &str) -> Option<Element> {
    let doc = web_sys::window()?.document()?;
    let template = doc.create_element("template").ok()?;
    template.set_inner_html(html.trim());
    let content = Reflect::get(&template, &"content".into()).ok()?;
    let fragment: web_sys::DocumentFragment = content.dyn_into().ok()?;
    fragment.first_element_child()
}

fn existing(l: &Live, id: i64) -> Option<Element> {
    l.list
        .query_selector(&format!("[data-item=\"{id}\"]"))
        .ok()
        .flatten()
}

/// True when the top of the list is above the viewport: the reader has scrolled into or past
/// it, so inserting would move what they are reading.
fn scrolled_away(l: &Live) -> bool {
    l.list.get_bounding_client_rect().top() < 0.0
}

fn insert_top(l: &Live, el: &Element) {
    // Pinned items stay first.
    let mut anchor = l.list.first_element_child();
    while let Some(a) = anchor.clone() {
        if a.get_attribute("data-pinned").is_some() && el.get_attribute("data-pinned").is_none() {
            anchor = a.next_element_sibling();
        } else {
            break;
        }
    }
    let _ = l
        .list
        .insert_before(el, anchor.as_ref().map(|a| a.as_ref()));
    if l.limit > 0 {
        while l.list.child_element_count() as usize > l.limit {
            if let Some(last) = l.list.last_element_child() {
                last.remove();
            }
        }
    }
    if let Ok(Some(empty)) = l.root.query_selector(".feed-empty") {
        empty.remove();
    }
}

fn refresh_new_button(l: &Live) {
    let Some(b) = &l.new_button else { return };
    let n = l.queue.len();
    if n == 0 {
        let _ = b.set_attribute("hidden", "");
    } else {
        b.set_text_content(Some(&if n == 1 {
            format!("1 new {}", l.noun)
        } else {
            format!("{n} new {}s", l.noun)
        }));
        let _ = b.remove_attribute("hidden");
    }
}

fn flush_queue(l: &mut Live) {
    let queued = std::mem::take(&mut l.queue);
    // Oldest first, so the newest ends on top.
    for (_, html) in queued {
        if let Some(el) = parse_html(&html) {
            insert_top(l, &el);
        }
    }
    refresh_new_button(l);
}

fn on_upsert(l: &mut Live, data: &JsValue) {
    let id = get(data, "item").as_f64().unwrap_or(0.0) as i64;
    let html = get(data, "html").as_string().unwrap_or_default();
    let headline = get(data, "headline").as_string().unwrap_or_default();
    let key = get(data, "key").as_bool().unwrap_or(false);
    let Some(el) = parse_html(&html) else { return };
    if let Some(old) = existing(l, id) {
        if l.key_only && !key {
            old.remove();
        } else {
            // A comment's pushed HTML has no replies: keep the ones already on the page.
            if let (Ok(Some(old_replies)), Ok(Some(new_replies))) = (
                old.query_selector(":scope > article > ol.comment-replies"),
                el.query_selector(":scope > article > ol.comment-replies"),
            ) {
                let _ = new_replies.replace_with_with_node_1(&old_replies);
            }
            let _ = old.replace_with_with_node_1(&el);
        }
        return;
    }
    // A reply goes under its parent, if the parent is on this page.
    if let Some(parent) = get(data, "parent").as_f64().map(|p| p as i64) {
        if let Some(replies) = existing(l, parent).and_then(|p| {
            p.query_selector(":scope > article > ol.comment-replies")
                .ok()
                .flatten()
        }) {
            let _ = replies.append_child(&el);
        }
        return;
    }
    if let Some(q) = l.queue.iter_mut().find(|(qid, _)| *qid == id) {
        q.1 = html;
        return;
    }
    if l.key_only && !key {
        return;
    }
    if let Some(a) = &l.announce {
        a.set_text_content(Some(&format!("New update: {headline}")));
    }
    match l.insert.as_str() {
        "bottom" => {
            // Below everything already read: nothing moves, so no need to wait.
            let _ = l.list.append_child(&el);
        }
        "elsewhere" => {
            l.queue.push((id, html));
            refresh_new_button(l);
        }
        _ if l.paused || scrolled_away(l) => {
            l.queue.push((id, html));
            refresh_new_button(l);
        }
        _ => insert_top(l, &el),
    }
}

fn on_delete(l: &mut Live, data: &JsValue) {
    let id = get(data, "item").as_f64().unwrap_or(0.0) as i64;
    if let Some(old) = existing(l, id) {
        old.remove();
    }
    l.queue.retain(|(qid, _)| *qid != id);
    refresh_new_button(l);
}

fn connect(shared: &Shared) {
    let url = {
        let l = shared.borrow();
        format!("{}?after={}", l.stream, l.last)
    };
    let Ok(source) = EventSource::new(&url) else {
        return;
    };
    let mut closures = Vec::new();
    for kind in LiveKind::ALL.iter().copied() {
        let s = shared.clone();
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Ok(data) = JSON::parse(&ev.data().as_string().unwrap_or_default()) else {
                return;
            };
            let mut l = s.borrow_mut();
            if let Ok(id) = ev.last_event_id().parse::<i64>() {
                if id <= l.last {
                    return;
                }
                l.last = id;
            }
            l.backoff_ms = 1000;
            match kind {
                LiveKind::Upsert => on_upsert(&mut l, &data),
                LiveKind::Delete => on_delete(&mut l, &data),
            }
        });
        let _ = source
            .add_event_listener_with_callback(kind.as_str(), handler.as_ref().unchecked_ref());
        closures.push(handler);
    }
    let s = shared.clone();
    let on_open = Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
        let mut l = s.borrow_mut();
        l.backoff_ms = 1000;
        let text = if l.paused {
            "Live updates paused."
        } else {
            "Live: new updates appear here."
        };
        set_status(&l, text);
    });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    closures.push(on_open);
    let s = shared.clone();
    let on_error = Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
        let closed = {
            let l = s.borrow();
            set_status(&l, "Reconnecting…");
            l.source
                .as_ref()
                .is_some_and(|src| src.ready_state() == EventSource::CLOSED)
        };
        // The browser retries by itself unless the connection was refused; then back off.
        if closed {
            let delay = {
                let mut l = s.borrow_mut();
                let d = l.backoff_ms;
                l.backoff_ms = (d * 2).min(30_000);
                d
            };
            let s2 = s.clone();
            gloo_timers::callback::Timeout::new(delay, move || connect(&s2)).forget();
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    closures.push(on_error);
    // The server could not catch this page up (it was away too long): a fresh page is exact.
    let s = shared.clone();
    let on_reload = Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
        // Closed, not dropped: this closure is running.
        if let Some(src) = s.borrow().source.as_ref() {
            src.close();
        }
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let _ = source.add_event_listener_with_callback("reload", on_reload.as_ref().unchecked_ref());
    closures.push(on_reload);
    let mut l = shared.borrow_mut();
    if let Some(old) = l.source.take() {
        old.close();
    }
    l.source = Some(source);
    l.closures = closures;
}

fn disconnect(shared: &Shared) {
    let mut l = shared.borrow_mut();
    if let Some(s) = l.source.take() {
        s.close();
    }
    l.closures.clear();
}

/// Starts live updates for the list under `root`.
pub fn attach(root: HtmlElement) {
    let Ok(Some(host)) = root.query_selector("[data-live]") else {
        return;
    };
    let Ok(Some(list)) = host.query_selector("ol.feed-list") else {
        return;
    };
    let attr = |n: &str| host.get_attribute(n);
    let find = |sel: &str| {
        host.query_selector(sel)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    };
    let live = Live {
        root: host.clone(),
        list,
        new_button: find("[data-live-new]"),
        pause_button: find("[data-live-pause]"),
        status: host.query_selector("[data-live-status]").ok().flatten(),
        announce: host.query_selector("[data-live-announce]").ok().flatten(),
        stream: attr("data-stream").unwrap_or_else(|| "/live/feed".into()),
        last: attr("data-after").and_then(|a| a.parse().ok()).unwrap_or(0),
        paused: false,
        key_only: attr("data-key-only").is_some(),
        limit: attr("data-limit").and_then(|a| a.parse().ok()).unwrap_or(0),
        noun: attr("data-noun").unwrap_or_else(|| "update".into()),
        insert: attr("data-insert").unwrap_or_else(|| "top".into()),
        more_href: attr("data-more-href"),
        queue: Vec::new(),
        source: None,
        backoff_ms: 1000,
        closures: Vec::new(),
    };
    let shared: Shared = Rc::new(RefCell::new(live));

    if let Some(b) = shared.borrow().new_button.clone() {
        let s = shared.clone();
        let click = Closure::<dyn FnMut()>::new(move || {
            let mut l = s.borrow_mut();
            if let (true, Some(href)) = (l.insert == "elsewhere", l.more_href.as_deref()) {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(href);
                }
                return;
            }
            flush_queue(&mut l);
            if let Some(first) = l.list.first_element_child() {
                first.scroll_into_view();
            }
        });
        let _ = b.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
        click.forget();
    }
    // Forms in pushed items (a comment's Reply and Report) arrive as plain HTML, outside any
    // hydrated form island: enhance their submissions here so they answer in place too.
    {
        let submit =
            Closure::<dyn FnMut(web_sys::SubmitEvent)>::new(move |ev: web_sys::SubmitEvent| {
                let plain = ev
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .is_some_and(|f| f.closest(".enhanced-form").ok().flatten().is_none());
                if plain {
                    super::dom::enhance_submit(ev);
                }
            });
        let _ = host.add_event_listener_with_callback("submit", submit.as_ref().unchecked_ref());
        submit.forget();
    }
    if let Some(b) = shared.borrow().pause_button.clone() {
        let _ = b.remove_attribute("hidden");
        let s = shared.clone();
        let b2 = b.clone();
        let click = Closure::<dyn FnMut()>::new(move || {
            let mut l = s.borrow_mut();
            l.paused = !l.paused;
            let paused = l.paused;
            b2.set_text_content(Some(if paused {
                "Resume live updates"
            } else {
                "Pause live updates"
            }));
            let _ = b2.set_attribute("aria-pressed", if paused { "true" } else { "false" });
            set_status(
                &l,
                if paused {
                    "Live updates paused."
                } else {
                    "Live: new updates appear here."
                },
            );
            if !paused {
                flush_queue(&mut l);
            }
        });
        let _ = b.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
        click.forget();
    }
    // A hidden tab holds no connection; it catches up from its last event when shown again.
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let s = shared.clone();
        let doc2 = doc.clone();
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            if doc2.hidden() {
                disconnect(&s);
            } else if s.borrow().source.is_none() {
                connect(&s);
            }
        });
        let _ = doc.add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        on_visibility.forget();
        if !doc.hidden() {
            connect(&shared);
        }
    }
}
