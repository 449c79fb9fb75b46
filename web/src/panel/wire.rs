//! The wire view (wasm32 only): every frame of every session from the
//! device's `/tap` — or, without a tap, the messages the browser itself
//! received — and "download capture", the tap's records as `.pcapng`.

use std::fmt::Write as _;

use web_sys::Document;

use crate::app::{App, Ev};
use crate::device::{Device, TapState};
use crate::dom::{download, set_text};
use crate::list::List;
use crate::model::fixed;
use crate::model::format::thousands;
use crate::model::markup::escape;

/// Row height in pixels (the markup's CSS sets the same).
const ROW_H: f64 = 17.0;
/// The wire view changes with every frame of every session: at most ~15
/// redraws a second keep the page's frames short under a burst.
const REDRAW_MS: f64 = 66.0;

/// The wire view's state: its list, follow, when drawn.
pub struct WirePanel {
    list: Option<List>,
    /// The view keeps to the newest frame unless scrolled up.
    follow: bool,
    last: f64,
}

impl WirePanel {
    /// The wire view of the page.
    pub fn new(doc: &Document) -> WirePanel {
        WirePanel { list: List::find(doc, "wire", ROW_H), follow: true, last: 0.0 }
    }

    /// Read the list's geometry (at the frame's start).
    pub fn measure(&self) {
        if let Some(l) = &self.list {
            l.measure();
        }
    }

    /// Whether a redraw is due at `now` (ms since the epoch).
    pub fn due(&mut self, now: f64) -> bool {
        let due = now - self.last >= REDRAW_MS;
        if due {
            self.last = now;
        }
        due
    }

    /// Draw `d`'s frames in view and the note above them.
    pub fn render(&mut self, doc: &Document, d: &Device) {
        let Some(list) = &self.list else { return };
        let missing = d.tap == TapState::Missing;
        let note = match d.tap {
            TapState::Missing => "this device has no /tap: showing the messages the browser itself sees".to_string(),
            _ => format!(
                "frames of every session, from the device's /tap, decoded with the wisp core · {} in the capture",
                thousands(d.wire.capture.len() as u64)
            ),
        };
        set_text(doc, "wire-note", &note);
        let shown = list.layout(if missing { d.seen.len() } else { d.wire.len() }, self.follow);
        let mut html = String::with_capacity(shown.len() * 256);
        if missing {
            let first = d.seen.front().map_or(0.0, |s| s.0);
            for (t, len) in d.seen.iter().skip(shown.start).take(shown.len()) {
                let _ = write!(
                    html,
                    "<div class=\"f\"><span>{:>9}</span><span>⇠</span><span></span><span>text message, {} bytes</span><span></span></div>",
                    fixed((t - first) / 1000.0, 3),
                    *len as u64
                );
            }
        } else {
            for f in d.wire.frames().skip(shown.start).take(shown.len()) {
                let mut class = String::from("f");
                if f.is_control() {
                    class.push_str(" ctl");
                }
                if f.close.is_some() {
                    class.push_str(" close");
                }
                let fragment = f.message.filter(|&(_, idx)| idx > 0 || !f.header.fin);
                if let Some((id, _)) = fragment {
                    class.push_str(if id % 2 == 1 { " frag more" } else { " frag" });
                }
                let frag = fragment.map(|(id, idx)| format!(" msg {id} #{}", idx + 1)).unwrap_or_default();
                let _ = write!(
                    html,
                    "<div class=\"{class}\" title=\"{}\"><span>{:>9}</span><span>{}</span><span>s{}</span><span>{}{frag}</span><span class=\"pv\">",
                    if f.sent { "device → client" } else { "client → device" },
                    fixed(f.time, 3),
                    if f.sent { "⇢" } else { "⇠" },
                    f.session,
                    f.summary()
                );
                match &f.close {
                    Some((code, name, reason)) => {
                        let _ = write!(html, "close {code} ({name}) ");
                        escape(reason, &mut html);
                    }
                    None => escape(&f.preview, &mut html),
                }
                html.push_str("</span></div>");
            }
        }
        list.fill(shown.start, &html);
    }
}

/// Scrolling, and the capture download.
pub fn on(a: &mut App, ev: &Ev) {
    match (ev.kind, ev.id.as_str()) {
        ("scroll", "wire") => {
            a.wire.follow = a.wire.list.as_ref().is_none_or(List::at_bottom);
            if let Some(d) = a.devices.get_mut(a.active) {
                d.wire_dirty = true;
            }
        }
        ("click", "capture") => {
            let Some(d) = a.devices.get(a.active) else { return };
            let host = d.entry.as_ref().map_or("twin", |e| e.host());
            let name = format!("wisp-{}.pcapng", host.replace([':', ' ', '[', ']'], "_"));
            download(&a.doc, &name, "application/vnd.tcpdump.pcap", &d.wire.capture.pcapng(host));
        }
        _ => {}
    }
}
