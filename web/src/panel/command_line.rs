//! The command line at the console's foot (wasm32 only), as in a terminal:
//! Enter sends the line, ↑/↓ walk the device's history (kept across
//! reloads), Tab completes from the commands the device lists in `help`.
//! The command buttons beside the console are shortcuts to the same.
//!
//! Tab completes only while there is a command name to complete; on an
//! empty line, or pressed again when the choices are already listed, it
//! moves the focus as everywhere, so the line is no keyboard trap.

use wasm_bindgen::JsCast;
use web_sys::{Document, KeyboardEvent};

use crate::app::{App, Ev};
use crate::device::Device;
use crate::dom::{input, set_text, value};
use crate::model::Completion;

/// The hint under the line: the typed command's help line.
fn hint(doc: &Document, d: &Device) {
    let line = value(doc, "command");
    set_text(doc, "command-hint", d.help.usage(&line).unwrap_or_default());
}

fn set_line(doc: &Document, text: &str) {
    if let Some(i) = input(doc, "command") {
        i.set_value(text);
        let end = text.len() as u32;
        let _ = i.set_selection_range(end, end);
    }
}

/// The command line's keys and the command buttons.
pub fn on(a: &mut App, ev: &Ev) {
    let doc = a.doc.clone();
    match (ev.kind, ev.id.as_str()) {
        ("submit", "command-form") => {
            ev.event.prevent_default();
            let text = value(&doc, "command");
            let Some(d) = a.devices.get_mut(a.active) else { return };
            if text.trim().is_empty() {
                return;
            }
            d.command(&text, true);
            set_line(&doc, "");
            set_text(&doc, "command-hint", "");
            // The reply shows at the bottom.
            a.console.set_follow(&doc, true);
        }
        ("input", "command") => {
            if let Some(d) = a.devices.get(a.active) {
                hint(&doc, d);
            }
        }
        ("keydown", "command") => {
            if let (Some(d), Some(k)) = (a.devices.get_mut(a.active), ev.event.dyn_ref::<KeyboardEvent>()) {
                key(&doc, d, k);
            }
        }
        // The buttons: `data-cmd`, with the value of the input `data-arg` names.
        ("click", _) => {
            let Some(button) = ev.target.closest("[data-cmd]").ok().flatten() else { return };
            let (Some(cmd), Some(d)) = (button.get_attribute("data-cmd"), a.devices.get_mut(a.active)) else { return };
            let text = match button.get_attribute("data-arg") {
                Some(id) => format!("{cmd} {}", value(&doc, &id)),
                None => cmd,
            };
            d.command(&text, false);
        }
        _ => {}
    }
}

/// ↑, ↓, Tab and Escape on the command line.
fn key(doc: &Document, d: &mut Device, e: &KeyboardEvent) {
    let line = value(doc, "command");
    match e.key().as_str() {
        "ArrowUp" => {
            if let Some(t) = d.history.up(&line).map(str::to_string) {
                e.prevent_default();
                set_line(doc, &t);
                hint(doc, d);
            }
        }
        "ArrowDown" => {
            if let Some(t) = d.history.down().map(str::to_string) {
                e.prevent_default();
                set_line(doc, &t);
                hint(doc, d);
            }
        }
        "Tab" if !e.shift_key() => match d.help.complete(&line) {
            Completion::Line(t) => {
                e.prevent_default();
                set_line(doc, &t);
                hint(doc, d);
            }
            Completion::Choices(names) => {
                let mut list = String::new();
                for n in &names {
                    if !list.is_empty() {
                        list.push_str("  ");
                    }
                    list.push_str(n);
                }
                let shown = doc.get_element_by_id("command-hint").and_then(|h| h.text_content());
                if shown.as_deref() != Some(list.as_str()) {
                    e.prevent_default();
                    set_text(doc, "command-hint", &list);
                }
            }
            Completion::Nothing => {}
        },
        "Escape" => {
            set_line(doc, "");
            set_text(doc, "command-hint", "");
        }
        _ => {}
    }
}

/// Announce the reply to a typed command (a polite live region).
pub fn render(doc: &Document, d: &mut Device) {
    if let Some(reply) = d.reply.take() {
        set_text(doc, "command-reply", &reply);
    }
}
