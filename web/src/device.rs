//! One device the page follows (wasm32 only): its sockets (`/printf`, and
//! `/tap` for the wire view) or the in-browser twin, reconnecting with
//! backoff, and everything the page keeps of it — console, wire view and
//! capture, rates, round trips, command history, the commands it lists.
//!
//! A device only changes state and raises dirty flags; the panels draw the
//! active one once per animation frame.

use std::collections::VecDeque;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::with_device;
use crate::dom::{after, call, epoch_ms, load, store};
use crate::model::{Console, Entry, Help, History, Line, LineKind, Rates, Wire, fixed};
use crate::socket::{Socket, SocketEvent};

/// Round trips and messages seen without a tap, kept for the charts and the wire view.
const SEEN_MAX: usize = 200;
const RTT_MAX: usize = 600;

/// Where a device's messages come from.
pub enum Source {
    /// Nothing (closed, or between reconnects).
    None,
    /// The device's `/printf`, and its `/tap` once the console is open.
    Sockets { console: Socket, tap: Option<Socket> },
    /// The in-browser twin's `TwinHandle` (module `wisp_web_twin.js`).
    Twin(JsValue),
    /// The twin module is being fetched.
    Loading,
}

/// Whether the wire view has a tap.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TapState {
    /// Not tried yet.
    Unknown,
    /// The tap is open.
    Open,
    /// The device has none (the wire view lists what the browser saw).
    Missing,
}

/// The connection, as the device list and the status show it.
#[derive(Clone, PartialEq)]
pub enum Link {
    /// The socket is opening.
    Connecting,
    /// Connected (or the twin running).
    Open,
    /// Closed with `code`; trying again `at` this time (ms since the epoch).
    Retrying { code: u16, at: f64 },
    /// Closed by the user.
    Closed,
    /// Not connectable (a bad URL, no twin module).
    Failed(&'static str),
}

/// A device the page follows.
pub struct Device {
    /// Stable for the page's lifetime (socket callbacks find the device by it).
    pub id: u32,
    /// Where it is; `None`: the in-browser twin.
    pub entry: Option<Entry>,
    /// Its console.
    pub console: Console,
    /// Its wire view and capture.
    pub wire: Wire,
    /// Lines and bytes per second.
    pub rates: Rates,
    /// Round trips of the `ping` command (ms since the epoch, ms).
    pub pong_rtts: VecDeque<(f64, f64)>,
    /// Text messages the browser saw, for a device without a tap: (ms since the epoch, bytes).
    pub seen: VecDeque<(f64, f64)>,
    /// Where its messages come from.
    pub source: Source,
    /// Whether it has a tap.
    pub tap: TapState,
    /// The connection, as shown.
    pub link: Link,
    /// It answered once (else the page offers the in-browser twin).
    pub ever_open: bool,
    backoff_ms: i32,
    /// Its periodic lines are paused (for `p`).
    pub paused: bool,
    /// The commands typed to it.
    pub history: History,
    /// The commands it lists.
    pub help: Help,
    /// A typed command waits for its first reply line (announced to screen readers).
    awaiting_reply: bool,
    /// The reply to announce.
    pub reply: Option<String>,
    /// The console needs drawing.
    pub console_dirty: bool,
    /// The wire view needs drawing.
    pub wire_dirty: bool,
    /// Its entry in the device list needs drawing.
    pub list_dirty: bool,
}

impl Device {
    /// A device not connected yet; its history from storage.
    pub fn new(id: u32, entry: Option<Entry>) -> Device {
        let history = History::load(&load(&history_key(entry.as_ref())).unwrap_or_default());
        Device {
            id,
            entry,
            console: Console::default(),
            wire: Wire::default(),
            rates: Rates::default(),
            pong_rtts: VecDeque::new(),
            seen: VecDeque::new(),
            source: Source::None,
            tap: TapState::Unknown,
            link: Link::Connecting,
            ever_open: false,
            backoff_ms: 500,
            paused: false,
            history,
            help: Help::default(),
            awaiting_reply: false,
            reply: None,
            console_dirty: true,
            wire_dirty: true,
            list_dirty: true,
        }
    }

    /// `HOST[:PORT]`, or "in-browser twin".
    pub fn name(&self) -> &str {
        self.entry.as_ref().map_or("in-browser twin", Entry::host)
    }

    /// The connection in words.
    pub fn link_text(&self) -> String {
        match &self.link {
            Link::Connecting => "connecting…".into(),
            Link::Open if self.entry.is_none() => "running in this page".into(),
            Link::Open => "connected".into(),
            Link::Retrying { code, at } => {
                let secs = ((at - epoch_ms()) / 1000.0).max(0.0);
                format!("disconnected ({code}); retrying in {} s", fixed(secs, 1))
            }
            Link::Closed => "closed by you".into(),
            Link::Failed(why) => (*why).into(),
        }
    }

    /// A line of the dashboard's own in this device's console.
    pub fn local(&mut self, text: String) {
        self.console.push(Line::own(LineKind::Local, text, epoch_ms()));
        self.console_dirty = true;
    }

    fn set_link(&mut self, link: Link) {
        self.link = link;
        self.list_dirty = true;
    }

    /// Open the console socket (the tap follows once it is open).
    pub fn connect(&mut self) {
        let Some(entry) = &self.entry else { return };
        let url = entry.socket_url(entry.path());
        let id = self.id;
        self.set_link(Link::Connecting);
        let console = Socket::open(
            &url,
            Box::new(move |e| {
                with_device(id, |d| d.on_console(e));
            }),
        );
        match console {
            Some(console) => self.source = Source::Sockets { console, tap: None },
            None => self.set_link(Link::Failed("could not open a socket")),
        }
    }

    fn on_console(&mut self, e: SocketEvent) {
        match e {
            SocketEvent::Message(data, at) => {
                if let Some(text) = data.as_string() {
                    self.on_text(text, at);
                }
            }
            SocketEvent::BatchEnd => self.help.batch_end(),
            SocketEvent::Open => {
                self.ever_open = true;
                self.backoff_ms = 500;
                self.set_link(Link::Open);
                self.local(format!("connected to {}", self.name()));
                self.ask_help();
                self.open_tap();
            }
            SocketEvent::Close { code, reason } => self.on_close(code, &reason),
            SocketEvent::BadUrl => {
                self.source = Source::None;
                self.set_link(Link::Failed("bad device URL"));
            }
        }
    }

    /// Learn the device's commands, without showing the reply.
    fn ask_help(&mut self) {
        self.help.asked(true);
        self.send("help");
    }

    fn open_tap(&mut self) {
        let Some(entry) = &self.entry else { return };
        let url = entry.socket_url("/tap");
        let id = self.id;
        let Source::Sockets { tap, .. } = &mut self.source else { return };
        *tap = Socket::open(
            &url,
            Box::new(move |e| {
                with_device(id, |d| d.on_tap(e));
            }),
        );
    }

    fn on_tap(&mut self, e: SocketEvent) {
        match e {
            SocketEvent::Message(data, at) => {
                if let Ok(buf) = data.dyn_into::<js_sys::ArrayBuffer>() {
                    self.wire.push_message(&js_sys::Uint8Array::new(&buf).to_vec(), at);
                    self.wire_dirty = true;
                }
            }
            SocketEvent::Open => {
                self.tap = TapState::Open;
                self.wire_dirty = true;
            }
            SocketEvent::Close { .. } | SocketEvent::BadUrl => {
                if self.tap != TapState::Open {
                    self.tap = TapState::Missing;
                    self.wire_dirty = true;
                }
            }
            SocketEvent::BatchEnd => {}
        }
    }

    /// Close the sockets (cleanly, 1000); `by_user` keeps it closed.
    pub fn disconnect(&mut self, by_user: bool) {
        if let Source::Sockets { console, tap } = std::mem::replace(&mut self.source, Source::None) {
            console.close(1000, "closed from the dashboard");
            if let Some(t) = tap {
                t.close(1000, "closed from the dashboard");
            }
        }
        self.tap = TapState::Unknown;
        if by_user {
            self.set_link(Link::Closed);
        }
    }

    fn on_close(&mut self, code: u16, reason: &str) {
        let why = if reason.is_empty() { String::new() } else { format!(": {reason}") };
        self.local(format!("connection closed ({code}{why})"));
        if let Source::Sockets { tap: Some(t), .. } = &self.source {
            t.close(1000, "");
        }
        self.source = Source::None;
        self.tap = TapState::Unknown;
        if self.link == Link::Closed {
            return;
        }
        let delay = self.backoff_ms;
        self.backoff_ms = (self.backoff_ms * 2).min(8000);
        self.set_link(Link::Retrying { code, at: epoch_ms() + f64::from(delay) });
        let id = self.id;
        after(delay, move || {
            with_device(id, |d| {
                if matches!(d.source, Source::None) && matches!(d.link, Link::Retrying { .. }) {
                    d.connect();
                }
            });
        });
    }

    /// A console message, received at `at` (ms since the epoch).
    pub fn on_text(&mut self, text: String, at: f64) {
        self.rates.count(at / 1000.0, text.len());
        if self.tap == TapState::Missing {
            if self.seen.len() == SEEN_MAX {
                self.seen.pop_front();
            }
            self.seen.push_back((at, text.len() as f64));
            self.wire_dirty = true;
        }
        if let Some(ms) = text.strip_prefix("> pong: round trip ").and_then(|r| r.strip_suffix(" ms"))
            && let Some((whole, frac)) = ms.split_once('.')
            && let (Ok(whole), Ok(frac)) = (whole.parse::<u32>(), frac.parse::<u32>())
        {
            // "1.234" ms, parsed without the float parser (smaller page).
            if self.pong_rtts.len() == RTT_MAX {
                self.pong_rtts.pop_front();
            }
            self.pong_rtts.push_back((at, f64::from(whole) + f64::from(frac) / 1000.0));
        }
        match text.as_str() {
            "> paused" => self.paused = true,
            t if t.starts_with("> resumed") => self.paused = false,
            _ => {}
        }
        if self.help.feed(&text) {
            return;
        }
        if self.awaiting_reply && (text.starts_with('>') || text.starts_with('!')) {
            self.awaiting_reply = false;
            self.reply = Some(text.clone());
        }
        // A dump is one message of many rows: one console row each.
        match text.split_once('\n') {
            None => self.console.push(Line::parse(text, at)),
            Some((first, rest)) => {
                self.console.push(Line::parse(first.to_string(), at));
                for row in rest.split('\n').filter(|r| !r.is_empty()) {
                    self.console.push(Line::parse(format!("    {row}"), at));
                }
            }
        }
        self.console_dirty = true;
    }

    /// Send a command; `typed` on the command line: echoed in the console,
    /// kept in the history, its reply announced.
    pub fn command(&mut self, text: &str, typed: bool) {
        if typed {
            self.console.push(Line::own(LineKind::Command, format!("› {text}"), epoch_ms()));
            self.console_dirty = true;
            self.history.push(text);
            store(&history_key(self.entry.as_ref()), &self.history.save());
            self.awaiting_reply = true;
        }
        if text.trim() == "help" {
            self.help.asked(false);
        } else {
            self.help.interrupted();
        }
        if !self.send(text) {
            self.local("not connected".into());
        }
    }

    fn send(&mut self, text: &str) -> bool {
        match &self.source {
            Source::Sockets { console, .. } if self.link == Link::Open => console.send(text),
            Source::Twin(t) => {
                call(t, "command", &JsValue::from_str(text));
            }
            _ => return false,
        }
        true
    }

    /// Fetch the twin module (only now: a page pointed at a device never
    /// downloads it), then boot the device in the page.
    pub fn start_twin(&mut self) {
        self.source = Source::Loading;
        self.set_link(Link::Connecting);
        let import = js_sys::Function::new_no_args(
            "return import('./wisp_web_twin.js').then(async (m) => { await m.default(); return m; })",
        );
        let Ok(promise) = import.call0(&JsValue::NULL) else { return };
        let promise: js_sys::Promise = promise.unchecked_into();
        let id = self.id;
        let loaded = Closure::once(move |m: JsValue| {
            with_device(id, |d| d.twin_loaded(&m));
        });
        let failed = Closure::once(move |_: JsValue| {
            with_device(id, |d| d.set_link(Link::Failed("could not load the in-browser twin")));
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
            self.set_link(Link::Failed("could not start the in-browser twin"));
            return;
        };
        self.source = Source::Twin(handle);
        self.tap = TapState::Open;
        self.ever_open = true;
        self.set_link(Link::Open);
        self.ask_help();
    }

    /// Run the in-browser twin up to `now` (µs since the page started) and
    /// take what it produced.
    pub fn poll_twin(&mut self, now: f64) {
        let Source::Twin(t) = &self.source else { return };
        let items: js_sys::Array = call(t, "poll", &JsValue::from(now)).map(JsCast::unchecked_into).unwrap_or_default();
        let at = epoch_ms();
        for pair in 0..items.length() / 2 {
            let (kind, value) = (items.get(2 * pair), items.get(2 * pair + 1));
            if kind.as_string().as_deref() == Some("c") {
                if let Some(text) = value.as_string() {
                    self.on_text(text, at);
                }
            } else {
                self.wire.push_message(&js_sys::Uint8Array::new(&value).to_vec(), at);
                self.wire_dirty = true;
            }
        }
        self.help.batch_end();
    }
}

/// Where a device's command history is stored.
fn history_key(entry: Option<&Entry>) -> String {
    format!("wisp.history.{}", entry.map_or("twin", |e| e.url.as_str()))
}
