//! Access to the page (wasm32 only): elements by id, event listeners, the
//! clock, local storage, downloads.

use std::cell::OnceCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement};

/// The element `id`.
pub fn el(doc: &Document, id: &str) -> Option<Element> {
    doc.get_element_by_id(id)
}

/// The `input` element `id`.
pub fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    el(doc, id).and_then(|e| e.dyn_into().ok())
}

/// The `select` element `id`.
pub fn select(doc: &Document, id: &str) -> Option<HtmlSelectElement> {
    el(doc, id).and_then(|e| e.dyn_into().ok())
}

/// The value of the input or select `id` ("" if there is none).
pub fn value(doc: &Document, id: &str) -> String {
    match el(doc, id) {
        Some(e) => match e.dyn_into::<HtmlInputElement>() {
            Ok(i) => i.value(),
            Err(e) => e.dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default(),
        },
        None => String::new(),
    }
}

/// Set the text of element `id` (as text: never parsed as markup).
pub fn set_text(doc: &Document, id: &str, text: &str) {
    if let Some(e) = el(doc, id)
        && e.text_content().as_deref() != Some(text)
    {
        e.set_text_content(Some(text));
    }
}

/// Focus element `id`.
pub fn focus(doc: &Document, id: &str) {
    if let Some(e) = el(doc, id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = e.focus();
    }
}

/// Call `f` on every `event` at `target` — or, with `capture`, on its way
/// down to any element inside (for events that do not bubble) — for the
/// page's lifetime.
pub fn listen(target: &web_sys::EventTarget, event: &str, capture: bool, f: impl FnMut(Event) + 'static) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    let _ = target.add_event_listener_with_callback_and_bool(event, cb.as_ref().unchecked_ref(), capture);
    cb.forget();
}

thread_local! {
    /// `performance.timeOrigin`, read once.
    static ORIGIN: OnceCell<f64> = const { OnceCell::new() };
}

/// Now, in ms since the Unix epoch (sub-millisecond, monotonic within the page).
pub fn epoch_ms() -> f64 {
    let perf = web_sys::window().and_then(|w| w.performance());
    let origin = ORIGIN.with(|o| *o.get_or_init(|| perf.as_ref().map_or(0.0, |p| p.time_origin())));
    origin + perf.map_or(0.0, |p| p.now())
}

/// The local zone's offset ahead of UTC, minutes.
pub fn tz_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A value kept across reloads.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Keep a value across reloads (quietly nothing if storage is refused).
pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Offer `bytes` as a file download named `name`.
pub fn download(doc: &Document, name: &str, mime: &str, bytes: &[u8]) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = a.dyn_into::<HtmlElement>() {
            a.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Call `method` on a JS object with one argument.
pub fn call(obj: &JsValue, method: &str, arg: &JsValue) -> Option<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    f.call1(obj, arg).ok()
}

/// Run `f` once after `ms` milliseconds.
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    let cb = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
    }
}
