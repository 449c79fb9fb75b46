//! The console panel (wasm32 only): the rows in view (levels coloured, SGR
//! colours, search matches marked, the time each line arrived), follow,
//! the filter by text, level and target, the search with its count and
//! next/previous, clear and download.

use std::fmt::Write as _;

use wasm_bindgen::JsCast;
use web_sys::{Document, KeyboardEvent};

use crate::app::{App, Ev};
use crate::device::Device;
use crate::dom::{download, input, load, select, set_text, store, tz_offset_min, value};
use crate::list::List;
use crate::model::format::{clock, delta, thousands};
use crate::model::markup::{Mark, escape, line_html};
use crate::model::{Filter, Level, LineKind, Stamps};

/// Row height in pixels (the markup's CSS sets the same).
const ROW_H: f64 = 18.0;

/// The console panel's state: its list, follow, filter, search, times.
pub struct ConsolePanel {
    list: Option<List>,
    /// The view keeps to the newest line.
    pub follow: bool,
    stamps: Option<Stamps>,
    filter: Filter,
    search: String,
    /// Targets the `target` menu lists.
    targets: usize,
    marks: Vec<Mark>,
    tz: i32,
    /// Redraw even if the device has nothing new (a setting changed).
    pub dirty: bool,
}

fn parse_stamps(v: &str) -> Option<Stamps> {
    match v {
        "clock" => Some(Stamps::Clock),
        "delta" => Some(Stamps::Delta),
        _ => None,
    }
}

impl ConsolePanel {
    /// The panel, with the time setting kept from before.
    pub fn new(doc: &Document) -> ConsolePanel {
        let stamps = load("wisp.stamps").unwrap_or_else(|| "clock".into());
        if let Some(s) = select(doc, "stamps") {
            s.set_value(&stamps);
        }
        ConsolePanel {
            list: List::find(doc, "console", ROW_H),
            follow: true,
            stamps: parse_stamps(&stamps),
            filter: Filter::default(),
            search: String::new(),
            targets: usize::MAX,
            marks: Vec::new(),
            tz: tz_offset_min(),
            dirty: true,
        }
    }

    /// Read the list's geometry (at the frame's start).
    pub fn measure(&self) {
        if let Some(l) = &self.list {
            l.measure();
        }
    }

    /// Show `d`: apply the filter and search in force to its console.
    pub fn attach(&mut self, doc: &Document, d: &mut Device) {
        // Target indices are per device: a target chosen on another does not carry over.
        self.filter.target = None;
        if let Some(s) = select(doc, "target") {
            s.set_value("");
        }
        self.targets = usize::MAX;
        d.console.set_filter(self.filter.clone());
        d.console.set_search(&self.search);
        self.dirty = true;
    }

    /// No device: an empty console.
    pub fn clear_view(&mut self, doc: &Document) {
        if let Some(list) = &self.list {
            list.layout(0, true);
            list.fill(0, "");
        }
        set_text(doc, "console-stats", "");
        set_text(doc, "search-count", "");
    }

    /// Follow the newest line, or stop.
    pub fn set_follow(&mut self, doc: &Document, on: bool) {
        self.follow = on;
        if let Some(i) = input(doc, "follow") {
            i.set_checked(on);
        }
        self.dirty = true;
    }

    /// Next (`forward`) or previous match: shown, and the view stops following.
    pub fn step(&mut self, d: &mut Device, forward: bool) {
        if d.console.step(forward).is_some() {
            self.reveal(d);
        }
    }

    fn reveal(&mut self, d: &Device) {
        let Some(pos) = d.console.current_line().and_then(|id| d.console.view_pos(id)) else {
            self.dirty = true;
            return;
        };
        self.follow = false;
        if let (Some(list), Some(doc)) = (&self.list, web_sys::window().and_then(|w| w.document())) {
            if let Some(i) = input(&doc, "follow") {
                i.set_checked(false);
            }
            list.measure();
            list.layout(d.console.view_len(), false);
            list.reveal(pos);
        }
        self.dirty = true;
    }

    /// Draw `d`'s console: the rows in view, the counts.
    pub fn render(&mut self, doc: &Document, d: &Device) {
        self.dirty = false;
        let c = &d.console;
        if c.targets().len() != self.targets {
            self.targets = c.targets().len();
            let mut html = String::from("<option value=\"\">all targets</option>");
            for (i, t) in c.targets().iter().enumerate() {
                let _ = write!(html, "<option value=\"{i}\">");
                escape(t, &mut html);
                html.push_str("</option>");
            }
            if let Some(s) = select(doc, "target") {
                s.set_inner_html(&html);
                s.set_value(&self.filter.target.map(|t| t.to_string()).unwrap_or_default());
            }
        }
        let Some(list) = &self.list else { return };
        let shown = list.layout(c.view_len(), self.follow);
        let mut html = String::with_capacity(shown.len() * 128);
        let mut prev = shown.start.checked_sub(1).and_then(|k| c.view_id(k)).and_then(|id| c.line(id)).map(|l| l.at);
        for k in shown.clone() {
            let Some((id, line)) = c.view_id(k).and_then(|id| Some((id, c.line(id)?))) else { break };
            let class = match (line.kind, line.level) {
                (LineKind::Console, Some(Level::Error)) => "row lv-e",
                (LineKind::Console, Some(Level::Warn)) => "row lv-w",
                (LineKind::Console, Some(Level::Info)) => "row lv-i",
                (LineKind::Console, Some(Level::Debug)) => "row lv-d",
                (LineKind::Console, Some(Level::Trace)) => "row lv-t",
                (LineKind::Console, None) => "row",
                (LineKind::Reply, _) => "row reply",
                (LineKind::Notice, _) => "row notice",
                (LineKind::Local, _) => "row local",
                (LineKind::Command, _) => "row cmd",
            };
            html.push_str("<div class=\"");
            html.push_str(class);
            html.push_str("\">");
            let stamp = match self.stamps {
                Some(Stamps::Clock) => Some(clock(line.at, self.tz)),
                Some(Stamps::Delta) => Some(delta(line.at - prev.unwrap_or(line.at))),
                None => None,
            };
            if let Some(stamp) = stamp {
                html.push_str("<span class=\"ts\">");
                html.push_str(&stamp);
                html.push_str("</span>");
            }
            prev = Some(line.at);
            c.marks(id, &mut self.marks);
            line_html(&line.text, &self.marks, &mut html);
            html.push_str("</div>");
        }
        list.fill(shown.start, &html);
        let stats = format!(
            "{} lines · last #{} · gaps {} · dropped by device {}",
            thousands(c.total),
            c.last_seq.map_or("—".into(), |s| s.to_string()),
            c.gaps,
            c.dropped
        );
        set_text(doc, "console-stats", &stats);
        let count = match c.matches() {
            _ if self.search.is_empty() => String::new(),
            (0, _) => "no match".into(),
            (n, Some(i)) => format!("{} of {}", thousands(i as u64 + 1), thousands(n as u64)),
            (n, None) => format!("{} matches", thousands(n as u64)),
        };
        set_text(doc, "search-count", &count);
    }

    fn download(&self, doc: &Document, d: &Device) {
        let name = format!("wisp-console-{}.txt", d.name().replace([':', ' '], "_"));
        download(doc, &name, "text/plain;charset=utf-8", d.console.export(self.stamps, self.tz).as_bytes());
    }
}

/// The console's controls.
pub fn on(a: &mut App, ev: &Ev) {
    let doc = a.doc.clone();
    let (p, Some(d)) = (&mut a.console, a.devices.get_mut(a.active)) else { return };
    match (ev.kind, ev.id.as_str()) {
        ("change", "follow") => p.set_follow(&doc, input(&doc, "follow").is_some_and(|i| i.checked())),
        // Scrolling up stops following; back at the bottom resumes it.
        ("scroll", "console") => {
            let at_bottom = p.list.as_ref().is_none_or(List::at_bottom);
            if p.follow != at_bottom {
                p.set_follow(&doc, at_bottom);
            }
            p.dirty = true;
        }
        ("input", "filter") | ("change", "level" | "target") => {
            p.filter.text = value(&doc, "filter");
            p.filter.level = value(&doc, "level").parse::<usize>().ok().and_then(|i| Level::ALL.get(i).copied());
            p.filter.target = value(&doc, "target").parse().ok();
            d.console.set_filter(p.filter.clone());
            p.dirty = true;
        }
        ("input", "search") => {
            p.search = value(&doc, "search");
            d.console.set_search(&p.search);
            p.reveal(d);
        }
        ("keydown", "search") => {
            if let Some(k) = ev.event.dyn_ref::<KeyboardEvent>()
                && k.key() == "Enter"
            {
                k.prevent_default();
                p.step(d, !k.shift_key());
            }
        }
        ("click", "search-next") => p.step(d, true),
        ("click", "search-prev") => p.step(d, false),
        ("change", "stamps") => {
            let v = value(&doc, "stamps");
            store("wisp.stamps", &v);
            p.stamps = parse_stamps(&v);
            p.dirty = true;
        }
        ("click", "clear") => {
            d.console.clear();
            p.dirty = true;
        }
        ("click", "download") => p.download(&doc, d),
        _ => {}
    }
}
