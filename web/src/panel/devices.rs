//! The device list (wasm32 only): one entry per device with its connection
//! state, a click (or Enter) to show it, × to stop following it; a field to
//! add a device by URL; Connect and Close for the device shown. The list is
//! kept across reloads by the app.
//!
//! The list is rebuilt only when it changes shape; the states are updated
//! in place, so a keyboard user's focus stays where it is.

use std::fmt::Write as _;

use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement};

use crate::app::{App, DEVICES_MAX, Ev};
use crate::device::{Device, Link};
use crate::dom::{el, input, set_text, value};
use crate::model::Entry;
use crate::model::markup::escape;

fn state_class(d: &Device) -> &'static str {
    match d.link {
        Link::Open => "connected",
        Link::Connecting => "connecting",
        _ => "disconnected",
    }
}

/// Draw the list: rebuilt if `changed`, else each state in place.
pub fn render(doc: &Document, devices: &mut [Device], active: usize, changed: bool) {
    if changed {
        // The element with the focus, to give it back after the rebuild.
        let focused = doc.active_element().and_then(|e| {
            e.get_attribute("data-dev").or_else(|| e.get_attribute("data-rm")).map(|v| (e.has_attribute("data-rm"), v))
        });
        let mut html = String::new();
        for (i, d) in devices.iter().enumerate() {
            let current = if i == active { " aria-current=\"true\"" } else { "" };
            let _ = write!(
                html,
                "<li><button type=\"button\" class=\"dev {}\" data-dev=\"{}\"{current}><span class=\"dot\" aria-hidden=\"true\"></span><span class=\"name\">",
                state_class(d),
                d.id
            );
            escape(d.name(), &mut html);
            let _ = write!(html, "</span> <span class=\"state\" id=\"dev-state-{}\">", d.id);
            escape(&d.link_text(), &mut html);
            html.push_str("</span></button><button type=\"button\" class=\"rm\"");
            let _ = write!(html, " data-rm=\"{}\" aria-label=\"stop following ", d.id);
            escape(d.name(), &mut html);
            html.push_str("\">×</button></li>");
        }
        if let Some(list) = el(doc, "device-list") {
            list.set_inner_html(&html);
        }
        if let Some((rm, id)) = focused {
            let css = if rm { format!("[data-rm=\"{id}\"]") } else { format!("[data-dev=\"{id}\"]") };
            if let Some(e) = doc.query_selector(&css).ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = e.focus();
            }
        }
    }
    for d in devices.iter_mut() {
        d.list_dirty = false;
        set_text(doc, &format!("dev-state-{}", d.id), &d.link_text());
        if let Some(b) = doc.query_selector(&format!("[data-dev=\"{}\"]", d.id)).ok().flatten() {
            let class = format!("dev {}", state_class(d));
            if b.class_name() != class {
                b.set_class_name(&class);
            }
        }
    }
}

/// The add form, the list's buttons, Connect and Close.
pub fn on(a: &mut App, ev: &Ev) {
    let doc = a.doc.clone();
    match (ev.kind, ev.id.as_str()) {
        ("submit", "add-form") => {
            ev.event.prevent_default();
            let entry = match Entry::parse(&value(&doc, "device-url"), a.secure) {
                Ok(entry) => entry,
                Err(why) => return set_text(&doc, "add-error", why),
            };
            let known = a.devices.iter().any(|d| d.entry.as_ref().is_some_and(|e| e.url == entry.url));
            if !known && a.devices.len() >= DEVICES_MAX {
                return set_text(&doc, "add-error", "the page follows 8 devices at most: remove one first");
            }
            set_text(&doc, "add-error", "");
            let i = a.add_or_find(entry);
            let d = &mut a.devices[i];
            if matches!(d.link, Link::Closed | Link::Failed(_)) || !known {
                d.disconnect(false);
                d.connect();
            }
            a.save_list();
            a.switch(i);
            if let Some(i) = input(&doc, "device-url") {
                i.set_value("");
            }
        }
        ("click", "connect") => {
            if let Some(d) = a.active_device()
                && d.entry.is_some()
            {
                d.disconnect(false);
                d.connect();
            }
        }
        ("click", "disconnect") => {
            if let Some(d) = a.active_device() {
                d.disconnect(true);
            }
        }
        ("click", _) => {
            let Some(button) = ev.target.closest("#device-list button").ok().flatten() else { return };
            let id = |attr: &str| button.get_attribute(attr).and_then(|v| v.parse::<u32>().ok());
            if let Some(id) = id("data-dev") {
                if let Some(i) = a.devices.iter().position(|d| d.id == id) {
                    a.switch(i);
                }
            } else if let Some(id) = id("data-rm")
                && let Some(i) = a.devices.iter().position(|d| d.id == id)
            {
                a.remove(i);
            }
        }
        _ => {}
    }
}
