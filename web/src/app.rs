//! The page: DOM, sockets and the animation-frame loop (wasm32 only).
//!
//! Messages are added to the model as they arrive (cheap); the DOM is redrawn
//! at most once per animation frame, and the console draws only the rows in
//! view, so thousands of lines a second stay smooth and memory stays flat.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    CanvasRenderingContext2d, Document, Element, Event, HtmlCanvasElement, HtmlElement, HtmlInputElement, KeyboardEvent,
};

use crate::list::List;
use crate::model::{CHART_SECONDS, Console, Line, LineKind, Rates, Wire, fixed};
use crate::socket::{Socket, SocketEvent};

/// Row heights in pixels (the markup's CSS sets the same).
const ROW_H: f64 = 18.0;
const WIRE_ROW_H: f64 = 17.0;

/// Where the page's messages come from.
enum Source {
    None,
    Device {
        ws: Socket,
        tap: Option<Socket>,
    },
    /// The in-browser twin's `TwinHandle` (module `wisp_web_twin.js`).
    Twin(JsValue),
    /// The twin module is being fetched.
    Loading,
}

/// Call `method` on a JS object with one argument.
fn call(obj: &JsValue, method: &str, arg: &JsValue) -> Option<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    f.call1(obj, arg).ok()
}

/// Whether the wire view has a tap.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TapState {
    Unknown,
    Open,
    Missing,
}

struct App {
    doc: Document,
    console: Console,
    wire: Wire,
    rates: Rates,
    /// Round trips from `> pong` replies: (seconds since start, seconds).
    pong_rtts: Vec<(f64, f64)>,
    /// Messages the browser itself saw, for a device without a tap: (time, bytes, text?).
    seen: std::collections::VecDeque<(f64, usize, bool)>,
    source: Source,
    url: String,
    tap_state: TapState,
    user_closed: bool,
    ever_open: bool,
    backoff_ms: i32,
    paused: bool,
    follow: bool,
    /// The wire view keeps to its newest frame unless scrolled up.
    wire_follow: bool,
    console_list: Option<List>,
    wire_list: Option<List>,
    filter: String,
    console_dirty: bool,
    wire_dirty: bool,
    last_chart: f64,
    last_wire: f64,
    frame_time: f64,
    start: f64,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn el(doc: &Document, id: &str) -> Option<Element> {
    doc.get_element_by_id(id)
}

fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    el(doc, id).and_then(|e| e.dyn_into().ok())
}

fn on(doc: &Document, id: &str, event: &str, f: impl FnMut(Event) + 'static) {
    if let Some(e) = el(doc, id) {
        let cb = Closure::<dyn FnMut(Event)>::new(f);
        let _ = e.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        cb.forget();
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    let Some(window) = web_sys::window() else { return };
    let Some(doc) = window.document() else { return };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let twin = params.as_ref().is_some_and(|p| p.has("twin"));
    let default_url = {
        let scheme = if location.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
        format!("{scheme}://{}/printf", location.host().unwrap_or_default())
    };
    let url = params.as_ref().and_then(|p| p.get("device")).unwrap_or(default_url);
    if let Some(i) = input(&doc, "device-url") {
        i.set_value(&url);
    }
    let app = App {
        doc: doc.clone(),
        console: Console::default(),
        wire: Wire::default(),
        rates: Rates::default(),
        pong_rtts: Vec::new(),
        seen: Default::default(),
        source: Source::None,
        url,
        tap_state: TapState::Unknown,
        user_closed: false,
        ever_open: false,
        backoff_ms: 500,
        paused: false,
        follow: true,
        wire_follow: true,
        console_list: List::find(&doc, "console", ROW_H),
        wire_list: List::find(&doc, "wire", WIRE_ROW_H),
        filter: String::new(),
        console_dirty: true,
        wire_dirty: true,
        last_chart: 0.0,
        last_wire: 0.0,
        frame_time: 0.0,
        start: now_ms(),
    };
    APP.with(|a| *a.borrow_mut() = Some(app));
    wire_up(&doc);
    if twin {
        with_app(App::start_twin);
    } else {
        with_app(App::connect);
    }
    animation_loop();
}

fn wire_up(doc: &Document) {
    on(doc, "connect-form", "submit", |e| {
        e.prevent_default();
        with_app(|a| {
            let url = input(&a.doc, "device-url").map(|i| i.value()).unwrap_or_default();
            a.url = url;
            a.user_closed = false;
            a.backoff_ms = 500;
            a.disconnect();
            a.connect();
        });
    });
    on(doc, "disconnect", "click", |_| {
        with_app(|a| {
            a.user_closed = true;
            a.disconnect();
            a.status("disconnected", "closed by you");
        });
    });
    on(doc, "twin-offer", "click", |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_search("?twin");
        }
    });
    on(doc, "clear", "click", |_| {
        with_app(App::clear);
    });
    on(doc, "download", "click", |_| {
        with_app(|a| a.download());
    });
    on(doc, "follow", "change", |_| {
        with_app(|a| {
            a.follow = input(&a.doc, "follow").is_some_and(|i| i.checked());
            a.console_dirty = true;
        });
    });
    on(doc, "filter", "input", |_| {
        with_app(|a| {
            a.filter = input(&a.doc, "filter").map(|i| i.value()).unwrap_or_default();
            a.console_dirty = true;
        });
    });
    // Scrolling up stops following; back at the bottom resumes it.
    on(doc, "console", "scroll", |_| {
        with_app(|a| {
            let at_bottom = a.console_list.as_ref().is_none_or(List::at_bottom);
            if a.follow != at_bottom {
                a.follow = at_bottom;
                if let Some(i) = input(&a.doc, "follow") {
                    i.set_checked(at_bottom);
                }
            }
            a.console_dirty = true;
        });
    });
    on(doc, "wire", "scroll", |_| {
        with_app(|a| {
            a.wire_follow = a.wire_list.as_ref().is_none_or(List::at_bottom);
            a.wire_dirty = true;
        });
    });
    on(doc, "controls-pane", "click", |e| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let Some(cmd) = target.get_attribute("data-cmd") else { return };
        with_app(|a| {
            let arg = target.get_attribute("data-arg").and_then(|id| input(&a.doc, &id)).map(|i| i.value());
            let text = match arg {
                Some(v) => format!("{cmd} {v}"),
                None => cmd.clone(),
            };
            a.command(&text);
        });
    });
    if let Some(w) = web_sys::window() {
        let cb = Closure::<dyn FnMut(KeyboardEvent)>::new(|e: KeyboardEvent| {
            let typing = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).is_some();
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            with_app(|a| match e.key().as_str() {
                "p" => {
                    let cmd = if a.paused { "resume" } else { "pause" };
                    a.command(cmd);
                }
                "c" => a.clear(),
                "f" => {
                    a.follow = !a.follow;
                    if let Some(i) = input(&a.doc, "follow") {
                        i.set_checked(a.follow);
                    }
                    a.console_dirty = true;
                }
                "/" => {
                    e.prevent_default();
                    if let Some(i) = input(&a.doc, "filter") {
                        let _ = i.focus();
                    }
                }
                _ => {}
            });
        });
        let _ = w.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
        cb.forget();
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
    fn secs(&self) -> f64 {
        (now_ms() - self.start) / 1000.0
    }

    fn status(&self, class: &str, text: &str) {
        if let Some(s) = el(&self.doc, "status") {
            s.set_class_name(&format!("pill {class}"));
            s.set_text_content(Some(text));
        }
    }

    fn note(&self, id: &str, text: &str) {
        if let Some(n) = el(&self.doc, id) {
            n.set_text_content(Some(text));
        }
    }

    fn local(&mut self, text: &str) {
        self.console.push(Line { kind: LineKind::Local, text: text.to_string(), seq: None });
        self.console_dirty = true;
    }

    fn share_link(&self) {
        if let (Some(a), Some(w)) = (el(&self.doc, "share"), web_sys::window()) {
            let loc = w.location();
            let base = format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
            let query = match self.source {
                Source::Twin(_) => "?twin".to_string(),
                _ => format!("?device={}", js_sys::encode_uri_component(&self.url)),
            };
            let _ = a.set_attribute("href", &format!("{base}{query}"));
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&query));
            }
        }
    }

    /// Fetch the twin module (only now: a page pointed at a device never
    /// downloads it), then boot the device in the page.
    fn start_twin(&mut self) {
        self.source = Source::Loading;
        self.status("connecting", "loading the in-browser twin…");
        let import = js_sys::Function::new_no_args(
            "return import('./wisp_web_twin.js').then(async (m) => { await m.default(); return m; })",
        );
        let Ok(promise) = import.call0(&JsValue::NULL) else { return };
        let promise: js_sys::Promise = promise.unchecked_into();
        let loaded = Closure::once(|m: JsValue| {
            with_app(|a| a.twin_loaded(&m));
        });
        let failed = Closure::once(|_: JsValue| {
            with_app(|a| a.status("disconnected", "could not load the in-browser twin"));
        });
        let _ = promise.then2(&loaded, &failed);
        loaded.forget();
        failed.forget();
    }

    fn twin_loaded(&mut self, module: &JsValue) {
        let seed = (js_sys::Math::random() * f64::from(u32::MAX)) as u32 | 1;
        let handle = js_sys::Reflect::get(module, &JsValue::from_str("TwinHandle"))
            .ok()
            .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
            .and_then(|c| js_sys::Reflect::construct(&c, &js_sys::Array::of1(&JsValue::from(seed))).ok());
        let Some(handle) = handle else {
            self.status("disconnected", "could not start the in-browser twin");
            return;
        };
        self.source = Source::Twin(handle);
        self.tap_state = TapState::Open;
        self.status("connected", "in-browser twin");
        self.note("device-note", "the firmware runs in this page (same source as the twin and the board)");
        if let Some(i) = input(&self.doc, "device-url") {
            i.set_value("twin (in this page)");
        }
        self.share_link();
    }

    fn connect(&mut self) {
        self.status("connecting", &format!("connecting to {}", self.url));
        let ws = Socket::open(&self.url, |e| {
            with_app(|a| match e {
                SocketEvent::Message(data) => {
                    if let Some(text) = data.as_string() {
                        a.on_text(text);
                    }
                }
                SocketEvent::Open => {
                    a.ever_open = true;
                    a.backoff_ms = 500;
                    a.status("connected", &format!("connected to {}", a.url));
                    a.local(&format!("connected to {}", a.url));
                    a.open_tap();
                }
                SocketEvent::Close { code, reason } => a.on_close(code, &reason),
                SocketEvent::BadUrl => {
                    a.source = Source::None;
                    a.status("disconnected", "bad device URL");
                }
            });
        });
        let Some(ws) = ws else {
            self.status("disconnected", "could not open a socket");
            return;
        };
        self.source = Source::Device { ws, tap: None };
        self.share_link();
    }

    fn open_tap(&mut self) {
        let Source::Device { tap, .. } = &mut self.source else { return };
        let Some(base) = self.url.rsplit_once('/').map(|(b, _)| b.to_string()) else { return };
        *tap = Socket::open(&format!("{base}/tap"), |e| {
            with_app(|a| match e {
                SocketEvent::Message(data) => {
                    if let Ok(buf) = data.dyn_into::<js_sys::ArrayBuffer>() {
                        a.wire.push_message(&js_sys::Uint8Array::new(&buf).to_vec());
                        a.wire_dirty = true;
                    }
                }
                SocketEvent::Open => {
                    a.tap_state = TapState::Open;
                    a.note("wire-note", "frames of every session, from the device's /tap, decoded with the wisp core");
                }
                SocketEvent::Close { .. } | SocketEvent::BadUrl => {
                    if a.tap_state != TapState::Open {
                        a.tap_state = TapState::Missing;
                        a.note("wire-note", "this device has no /tap: showing the messages the browser itself sees");
                        a.wire_dirty = true;
                    }
                }
            });
        });
    }

    fn disconnect(&mut self) {
        if let Source::Device { ws, tap } = std::mem::replace(&mut self.source, Source::None) {
            ws.close(1000, "closed from the dashboard");
            if let Some(t) = tap {
                t.close(1000, "closed from the dashboard");
            }
        }
        self.tap_state = TapState::Unknown;
    }

    fn on_close(&mut self, code: u16, reason: &str) {
        let why = if reason.is_empty() { String::new() } else { format!(": {reason}") };
        self.local(&format!("connection closed ({code}{why})"));
        if let Source::Device { tap: Some(t), .. } = &self.source {
            t.close(1000, "");
        }
        self.source = Source::None;
        self.tap_state = TapState::Unknown;
        if self.user_closed {
            return;
        }
        if !self.ever_open
            && let Some(b) = el(&self.doc, "twin-offer")
        {
            let _ = b.remove_attribute("hidden");
        }
        let delay = self.backoff_ms;
        self.backoff_ms = (self.backoff_ms * 2).min(8000);
        self.status(
            "disconnected",
            &format!("disconnected ({code}); retrying in {} s", fixed(f64::from(delay) / 1000.0, 1)),
        );
        let cb = Closure::once_into_js(|| {
            with_app(|a| {
                if matches!(a.source, Source::None) && !a.user_closed {
                    a.connect();
                }
            });
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay);
        }
    }

    fn on_text(&mut self, text: String) {
        // The last frame's time: close enough for per-second counts, and no
        // call out to `performance.now()` for each of thousands of messages.
        let now = self.frame_time;
        self.rates.count(now, text.len());
        if self.tap_state == TapState::Missing {
            if self.seen.len() == 200 {
                self.seen.pop_front();
            }
            self.seen.push_back((now, text.len(), true));
        }
        if let Some(ms) = text.strip_prefix("> pong: round trip ").and_then(|r| r.strip_suffix(" ms"))
            && let Some((whole, frac)) = ms.split_once('.')
            && let (Ok(whole), Ok(frac)) = (whole.parse::<u32>(), frac.parse::<u32>())
        {
            // "1.234" ms, parsed without the float parser (smaller page).
            self.pong_rtts.push((now, (f64::from(whole) + f64::from(frac) / 1000.0) / 1000.0));
        }
        match text.as_str() {
            "> paused" => self.paused = true,
            t if t.starts_with("> resumed") => self.paused = false,
            _ => {}
        }
        // A dump is one message of many rows: one console row each.
        match text.split_once('\n') {
            None => self.console.push(Line::parse_owned(text)),
            Some((first, rest)) => {
                self.console.push(Line::parse(first));
                for row in rest.split('\n').filter(|r| !r.is_empty()) {
                    self.console.push(Line { kind: LineKind::Console, text: format!("    {row}"), seq: None });
                }
            }
        }
        self.console_dirty = true;
        if self.tap_state == TapState::Missing {
            self.wire_dirty = true;
        }
    }

    fn command(&mut self, text: &str) {
        match &mut self.source {
            Source::Device { ws, .. } => ws.send(text),
            Source::Twin(t) => {
                call(t, "command", &JsValue::from_str(text));
            }
            Source::None | Source::Loading => self.local("not connected"),
        }
    }

    fn clear(&mut self) {
        self.console.clear();
        self.console_dirty = true;
    }

    fn download(&self) {
        let parts = js_sys::Array::of1(&JsValue::from_str(&self.console.text()));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("text/plain");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        if let Ok(a) = self.doc.create_element("a") {
            let _ = a.set_attribute("href", &url);
            let _ = a.set_attribute("download", "wisp-console.txt");
            if let Ok(a) = a.dyn_into::<HtmlElement>() {
                a.click();
            }
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }

    /// Once per animation frame.
    fn frame(&mut self) {
        self.frame_time = self.secs();
        if let Source::Twin(t) = &self.source {
            let now = (now_ms() - self.start) * 1000.0;
            let items: js_sys::Array =
                call(t, "poll", &JsValue::from(now)).map(JsCast::unchecked_into).unwrap_or_default();
            for pair in 0..items.length() / 2 {
                let (kind, value) = (items.get(2 * pair), items.get(2 * pair + 1));
                if kind.as_string().as_deref() == Some("c") {
                    if let Some(text) = value.as_string() {
                        self.on_text(text);
                    }
                } else {
                    self.wire.push_message(&js_sys::Uint8Array::new(&value).to_vec());
                    self.wire_dirty = true;
                }
            }
        }
        if self.console_dirty {
            self.console_dirty = false;
            self.render_console();
        }
        let now = self.secs();
        // The wire view changes with every frame on every session: at most
        // ~15 redraws a second keep the page's frames short under a burst.
        if self.wire_dirty && now - self.last_wire >= 0.066 {
            self.wire_dirty = false;
            self.last_wire = now;
            self.render_wire();
        }
        if now - self.last_chart > 0.5 {
            self.last_chart = now;
            self.render_charts(now);
        }
    }

    fn render_console(&mut self) {
        let Some(list) = &self.console_list else { return };
        let view_lines = self.console.view(&self.filter);
        let shown = list.layout(view_lines.len(), self.follow);
        let mut html = String::with_capacity(shown.len() * 96);
        for k in shown.clone() {
            let Some(line) = view_lines.index(k).and_then(|i| self.console.get(i)) else { break };
            let class = match line.kind {
                LineKind::Console => "row",
                LineKind::Reply => "row reply",
                LineKind::Notice => "row notice",
                LineKind::Local => "row local",
            };
            let _ = write!(html, "<div class=\"{class}\">");
            escape(&line.text, &mut html);
            html.push_str("</div>");
        }
        list.fill(shown.start, &html);
        let c = &self.console;
        let stats = format!(
            "{} lines · last #{} · gaps {} · dropped by device {}",
            c.total,
            c.last_seq.map_or("—".into(), |s| s.to_string()),
            c.gaps,
            c.dropped
        );
        self.note("console-stats", &stats);
    }

    fn render_wire(&mut self) {
        let Some(list) = &self.wire_list else { return };
        let missing = self.tap_state == TapState::Missing;
        let shown = list.layout(if missing { self.seen.len() } else { self.wire.len() }, self.wire_follow);
        let mut html = String::with_capacity(shown.len() * 256);
        if missing {
            for (t, len, text) in self.seen.range(shown.clone()) {
                let _ = write!(
                    html,
                    "<div class=\"f\"><span>{:>9}</span><span>⇠</span><span></span><span>{} message, {len} bytes</span><span></span></div>",
                    fixed(*t, 3),
                    if *text { "text" } else { "binary" }
                );
            }
        } else {
            for f in self.wire.frames().skip(shown.start).take(shown.len()) {
                let mut class = String::from("f");
                if f.is_control() {
                    class.push_str(" ctl");
                }
                if f.close.is_some() {
                    class.push_str(" close");
                }
                if let Some((id, idx)) = f.message
                    && (idx > 0 || !f.header.fin)
                {
                    class.push_str(" frag");
                    if id % 2 == 1 {
                        class.push_str(" more");
                    }
                }
                let dir = if f.sent { "⇢" } else { "⇠" };
                let frag = match f.message {
                    Some((id, idx)) if idx > 0 || !f.header.fin => format!(" msg {id} #{}", idx + 1),
                    _ => String::new(),
                };
                let _ = write!(
                    html,
                    "<div class=\"{class}\" title=\"{}\"><span>{:>9}</span><span>{dir}</span><span>s{}</span><span>{}{frag}</span><span class=\"pv\">",
                    if f.sent { "device → client" } else { "client → device" },
                    fixed(f.time, 3),
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

    fn render_charts(&mut self, now: f64) {
        let span = 120;
        let series = self.rates.series(now, span);
        let lines: Vec<f64> = series.iter().map(|s| f64::from(s.0)).collect();
        let bytes: Vec<f64> = series.iter().map(|s| s.1 as f64).collect();
        chart(&self.doc, "chart-lines", &lines, "lines/s");
        chart(&self.doc, "chart-bytes", &bytes, "bytes/s");
        // Round trips: the device's keepalive pings (from the tap) and the
        // `ping` command's replies, over the last minutes.
        let mut rtt: Vec<f64> = self.wire.rtts.iter().map(|r| r.1 * 1000.0).collect();
        rtt.extend(self.pong_rtts.iter().map(|r| r.1 * 1000.0));
        let keep = rtt.len().saturating_sub(CHART_SECONDS);
        chart(&self.doc, "chart-rtt", &rtt[keep..], "ping ms");
        let last = lines.last().copied().unwrap_or(0.0);
        self.note("chart-note", &format!("{} lines/s now", fixed(last, 0)));
    }
}

/// A line chart of `values` (oldest first) with its maximum labelled.
fn chart(doc: &Document, id: &str, values: &[f64], label: &str) {
    let Some(canvas) = el(doc, id).and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok()) else { return };
    let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else { return };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, w, h);
    let max = values.iter().copied().fold(0.0f64, f64::max).max(1e-9);
    let color = web_sys::window()
        .and_then(|win| win.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    let (stroke, text) = if color { ("#79a6f2", "#959aa3") } else { ("#2f6fd6", "#6b7078") };
    ctx.set_stroke_style_str(stroke);
    ctx.set_line_width(1.5);
    ctx.begin_path();
    let n = values.len().max(2) as f64;
    for (i, v) in values.iter().enumerate() {
        let x = i as f64 / (n - 1.0) * (w - 4.0) + 2.0;
        let y = h - 4.0 - v / max * (h - 24.0);
        if i == 0 { ctx.move_to(x, y) } else { ctx.line_to(x, y) }
    }
    ctx.stroke();
    ctx.set_fill_style_str(text);
    ctx.set_font("12px system-ui, sans-serif");
    let _ = ctx.fill_text(&format!("{label} · max {}", fixed(max, 1)), 6.0, 14.0);
}
