//! The page (wasm32 only): the devices it follows, which one is shown, the
//! animation-frame loop that draws it, the keyboard shortcuts.
//!
//! Messages go into their device's model as they arrive (cheap); the DOM is
//! redrawn at most once per animation frame, for the active device only,
//! and each list draws only the rows in view, so thousands of lines a second
//! stay smooth and memory stays flat.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, KeyboardEvent};

use crate::device::{Device, Link, Source};
use crate::dom::{el, epoch_ms, focus, listen, load, set_text, store};
use crate::model::Entry;
use crate::panel::{charts::Charts, command_line, console::ConsolePanel, devices, wire::WirePanel};

/// Devices the page follows at most (each keeps up to ~5 MB of history).
pub const DEVICES_MAX: usize = 8;

/// The page: the devices it follows and its panels.
pub struct App {
    /// The page's document.
    pub doc: Document,
    /// The devices followed, in the list's order.
    pub devices: Vec<Device>,
    /// Index of the device shown.
    pub active: usize,
    next_id: u32,
    /// The console panel.
    pub console: ConsolePanel,
    /// The wire view.
    pub wire: WirePanel,
    /// The charts.
    pub charts: Charts,
    /// The device list changed shape (added, removed, switched).
    pub list_changed: bool,
    /// When the page started, ms since the epoch (the twin's clock starts here).
    start: f64,
    /// The page came over HTTPS (devices typed without a scheme get `wss:`).
    pub secure: bool,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Run `f` on the page's state (nothing before it started). An event the
/// page itself causes while it runs (a focus moved, a download link
/// clicked) finds it busy and is ignored.
pub fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.try_borrow_mut().ok()?.as_mut().map(f))
}

/// Run `f` on the device `id`, if the page still follows it.
pub fn with_device<R>(id: u32, f: impl FnOnce(&mut Device) -> R) -> Option<R> {
    with_app(|a| a.devices.iter_mut().find(|d| d.id == id).map(f)).flatten()
}

/// Start the page: the device list, the connections, the listeners, the frame loop.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(window) = web_sys::window() else { return };
    let Some(doc) = window.document() else { return };
    let location = window.location();
    let params = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default()).ok();
    let param = |name: &str| params.as_ref().and_then(|p| p.get(name));
    let secure = location.protocol().unwrap_or_default() == "https:";
    let mut app = App {
        doc: doc.clone(),
        devices: Vec::new(),
        active: 0,
        next_id: 1,
        console: ConsolePanel::new(&doc),
        wire: WirePanel::new(&doc),
        charts: Charts::default(),
        list_changed: true,
        start: epoch_ms(),
        secure,
    };
    // The list kept from before, then what the URL asks for.
    for entry in Entry::load(&load("wisp.devices").unwrap_or_default()).into_iter().take(DEVICES_MAX) {
        app.add(Some(entry));
    }
    // Decoded by the browser; kept encoded, as it goes back into URLs.
    let token = param("token").filter(|t| !t.is_empty()).map(|t| String::from(js_sys::encode_uri_component(&t)));
    let asked = param("device").and_then(|d| Entry::parse(&d, secure).ok());
    let twin = params.as_ref().is_some_and(|p| p.has("twin"));
    let own = Entry::parse(&format!("{}/printf", location.host().unwrap_or_default()), secure).ok();
    let stored_active = load("wisp.active");
    // The device that served the page: on a first visit, or when the URL
    // gives it a token.
    let own = own.filter(|_| (app.devices.is_empty() || token.is_some()) && !twin);
    match asked.or(own) {
        Some(mut entry) => {
            if token.is_some() {
                entry.token = token;
            }
            let i = app.add_or_find(entry);
            app.active = i;
        }
        None => {
            if let Some(i) = app.devices.iter().position(|d| d.entry.as_ref().map(|e| &e.url) == stored_active.as_ref())
            {
                app.active = i;
            }
        }
    }
    if twin {
        app.active = app.add(None);
    }
    for d in &mut app.devices {
        match d.entry {
            Some(_) => d.connect(),
            None => d.start_twin(),
        }
    }
    app.save_list();
    APP.with(|a| *a.borrow_mut() = Some(app));
    with_app(|a| a.switch(a.active));
    wire_up(&doc);
    animation_loop();
}

/// An event, as the panels see it: its kind, and the element it is for.
pub struct Ev {
    /// `click`, `input`, `keydown` …
    pub kind: &'static str,
    /// The target's id ("" if it has none).
    pub id: String,
    /// The element it happened to.
    pub target: Element,
    /// The event itself.
    pub event: Event,
}

/// One listener per kind of event, on the document, routed to the panels by
/// the target (rather than a listener on each control: each costs the page
/// its own glue). `scroll` and `mouseleave` do not bubble: caught on their
/// way down.
fn wire_up(doc: &Document) {
    const BUBBLING: [&str; 6] = ["click", "input", "change", "keydown", "submit", "mousemove"];
    for (kind, capture) in BUBBLING.iter().map(|k| (*k, false)).chain([("scroll", true), ("mouseleave", true)]) {
        listen(doc, kind, capture, move |event: Event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let ev = Ev { kind, id: target.id(), target, event };
            with_app(|a| a.route(&ev));
        });
    }
}

/// The keys of the footer, when no text field has the focus.
fn shortcut(a: &mut App, ev: &Ev) {
    let Some(e) = ev.event.dyn_ref::<KeyboardEvent>() else { return };
    let tag = ev.target.tag_name();
    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    let key = e.key();
    if key == "Enter" && matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY") {
        return;
    }
    {
        let doc = a.doc.clone();
        let handled = match key.as_str() {
            "p" => {
                if let Some(d) = a.active_device() {
                    let cmd = if d.paused { "resume" } else { "pause" };
                    d.command(cmd, false);
                }
                true
            }
            "c" => {
                if let Some(d) = a.active_device() {
                    d.console.clear();
                    d.console_dirty = true;
                }
                true
            }
            "f" => {
                a.console.set_follow(&doc, !a.console.follow);
                true
            }
            "n" | "N" => {
                let i = a.active;
                if let Some(d) = a.devices.get_mut(i) {
                    a.console.step(d, key == "n");
                }
                true
            }
            "/" => {
                focus(&doc, "filter");
                true
            }
            "s" => {
                focus(&doc, "search");
                true
            }
            "Enter" => {
                focus(&doc, "command");
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
        }
    }
}

/// A callback that schedules itself again.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

fn animation_loop() {
    let f: FrameCallback = Rc::new(RefCell::new(None));
    let g = f.clone();
    *g.borrow_mut() = Some(Closure::new(move || {
        with_app(App::frame);
        if let (Some(w), Some(cb)) = (web_sys::window(), f.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(w), Some(cb)) = (web_sys::window(), g.borrow().as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}

impl App {
    /// An event on the page, to whichever panel it is for.
    fn route(&mut self, ev: &Ev) {
        crate::panel::console::on(self, ev);
        command_line::on(self, ev);
        devices::on(self, ev);
        crate::panel::wire::on(self, ev);
        crate::panel::charts::on(self, ev);
        match (ev.kind, ev.id.as_str()) {
            ("keydown", _) => shortcut(self, ev),
            ("click", "twin-offer") => {
                let i = self.devices.iter().position(|d| d.entry.is_none()).unwrap_or_else(|| {
                    let i = self.add(None);
                    self.devices[i].start_twin();
                    i
                });
                self.switch(i);
            }
            _ => {}
        }
    }

    /// The device shown.
    pub fn active_device(&mut self) -> Option<&mut Device> {
        self.devices.get_mut(self.active)
    }

    /// Follow a new device (`None`: the in-browser twin); returns its index.
    /// The caller connects it.
    pub fn add(&mut self, entry: Option<Entry>) -> usize {
        self.devices.push(Device::new(self.next_id, entry));
        self.next_id += 1;
        self.list_changed = true;
        self.devices.len() - 1
    }

    /// The device at `entry`'s URL, added if the page does not follow it yet
    /// (a known device takes the entry's token).
    pub fn add_or_find(&mut self, entry: Entry) -> usize {
        match self.devices.iter().position(|d| d.entry.as_ref().is_some_and(|e| e.url == entry.url)) {
            Some(i) => {
                if entry.token.is_some() {
                    self.devices[i].entry = Some(entry);
                }
                i
            }
            None => self.add(Some(entry)),
        }
    }

    /// Stop following device `i`.
    pub fn remove(&mut self, i: usize) {
        if i >= self.devices.len() {
            return;
        }
        let mut d = self.devices.remove(i);
        d.disconnect(true);
        if self.active > i || self.active >= self.devices.len() {
            self.active = self.active.saturating_sub(1);
        }
        self.save_list();
        self.switch(self.active);
    }

    /// Show device `i`: its console (with the filter and search in force),
    /// its wire view, its charts.
    pub fn switch(&mut self, i: usize) {
        self.active = i.min(self.devices.len().saturating_sub(1));
        self.list_changed = true;
        self.charts.dirty = true;
        let Some(d) = self.devices.get_mut(self.active) else {
            self.console.clear_view(&self.doc);
            return;
        };
        self.console.attach(&self.doc, d);
        d.wire_dirty = true;
        if let Some(e) = &self.devices[self.active].entry {
            store("wisp.active", &e.url);
        }
        self.share_link();
    }

    /// Keep the list (not the twin) across reloads.
    pub fn save_list(&self) {
        let entries: Vec<Entry> = self.devices.iter().filter_map(|d| d.entry.clone()).collect();
        store("wisp.devices", &Entry::save(&entries));
    }

    /// The `share link`: this page pointed at the active device (and the
    /// address bar says the same).
    fn share_link(&self) {
        let (Some(a), Some(w)) = (el(&self.doc, "share"), web_sys::window()) else { return };
        let loc = w.location();
        let base = format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
        let query = match self.devices.get(self.active).map(|d| &d.entry) {
            Some(None) => "?twin".to_string(),
            Some(Some(e)) => {
                let mut q = format!("?device={}", js_sys::encode_uri_component(&e.url));
                if let Some(t) = &e.token {
                    q.push_str("&token=");
                    q.push_str(t);
                }
                q
            }
            None => String::new(),
        };
        let _ = a.set_attribute("href", &format!("{base}{query}"));
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{base}{query}")));
        }
    }

    /// Once per animation frame.
    fn frame(&mut self) {
        let now = epoch_ms();
        // Every read of layout first, while it is clean; only writes after.
        self.console.measure();
        self.wire.measure();
        for d in &mut self.devices {
            if matches!(d.source, Source::Twin(_)) {
                d.poll_twin((now - self.start) * 1000.0);
            }
        }
        let tick = self.charts.due(now);
        let doc = self.doc.clone();
        if self.list_changed || self.devices.iter().any(|d| d.list_dirty) || tick {
            devices::render(&doc, &mut self.devices, self.active, self.list_changed);
            self.list_changed = false;
            self.status();
        }
        let Some(d) = self.devices.get_mut(self.active) else { return };
        if d.console_dirty || self.console.dirty {
            d.console_dirty = false;
            self.console.render(&doc, d);
        }
        command_line::render(&doc, d);
        if d.wire_dirty && self.wire.due(now) {
            d.wire_dirty = false;
            self.wire.render(&doc, d);
        }
        if tick {
            self.charts.render(&doc, d, now);
        }
    }

    /// The status pill: the active device's connection.
    fn status(&self) {
        let (class, text) = match self.devices.get(self.active) {
            None => ("disconnected", "no device: add one".to_string()),
            Some(d) => {
                let class = match d.link {
                    Link::Open => "connected",
                    Link::Connecting => "connecting",
                    _ => "disconnected",
                };
                (class, format!("{}: {}", d.name(), d.link_text()))
            }
        };
        if let Some(s) = el(&self.doc, "status") {
            s.set_class_name(&format!("pill {class}"));
        }
        set_text(&self.doc, "status", &text);
        // A device that never answered: offer the one in the page.
        let offer =
            self.devices.get(self.active).is_some_and(|d| !d.ever_open && matches!(d.link, Link::Retrying { .. }));
        if let Some(b) = el(&self.doc, "twin-offer") {
            let _ = if offer { b.remove_attribute("hidden") } else { b.set_attribute("hidden", "") };
        }
    }
}
