//! A WebSocket that lives in a worker and hands its messages to the page in
//! batches (wasm32 only).
//!
//! Why: every console line is its own WebSocket message, and at a burst's top
//! rate a socket on the page's own thread queues one task per message — tens
//! of thousands a second, each with its event object and its call into WASM.
//! Those tasks, not the drawing, are what stretched animation frames past
//! 50 ms. In a worker the socket's tasks run on another thread; the page gets
//! one task per batch, at most every 16 ms (a frame), and the first message after
//! a quiet spell at once (no added latency at a few lines a second). A batch
//! holds at most 256 messages, so that the page's task for one stays a few
//! milliseconds even when the page (or the machine) falls behind and the
//! worker has more waiting: a frame can be drawn between two batches.
//!
//! The worker is a few lines of plain JavaScript from a `Blob` URL, so the
//! page needs no extra file, and the device serves nothing new. It stamps
//! each message with the time it arrived (the console's "received" column),
//! so batching does not blur the times.

use std::cell::OnceCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// The worker; a message waits in it at most 16 ms, a batch is at most 256. Page → worker: `{open: url}`, `{send: text}`, `{close: [code,
/// reason]}`. Worker → page: `{e: "open"}`, `{e: "m", d: [messages], t:
/// Float64Array}` (binary messages as transferred `ArrayBuffer`s; `t`: when
/// each arrived, ms since the epoch), `{e: "close", code, reason}`, `{e:
/// "bad"}` when the URL is refused.
const WORKER_JS: &str = "let ws, batch = [], times = [], last = 0, timer = 0;
const flush = () => {
  timer = 0; last = performance.now();
  const d = batch, t = new Float64Array(times); batch = []; times = [];
  postMessage({e: 'm', d, t}, [t.buffer, ...d.filter((x) => x instanceof ArrayBuffer)]);
};
onmessage = (m) => {
  const c = m.data;
  if (c.open !== undefined) {
    try { ws = new WebSocket(c.open); } catch (_) { postMessage({e: 'bad'}); close(); return; }
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => postMessage({e: 'open'});
    ws.onmessage = (e) => {
      batch.push(e.data); times.push(performance.timeOrigin + performance.now());
      if (batch.length >= 256) { clearTimeout(timer); flush(); return; }
      if (timer) return;
      const wait = 16 - (performance.now() - last);
      if (wait <= 0) flush(); else timer = setTimeout(flush, wait);
    };
    ws.onclose = (e) => {
      if (timer) clearTimeout(timer);
      if (batch.length) flush();
      postMessage({e: 'close', code: e.code, reason: e.reason});
      close();
    };
  } else if (c.send !== undefined) {
    if (ws && ws.readyState === 1) ws.send(c.send);
  } else if (c.close !== undefined) {
    if (ws) ws.close(c.close[0], c.close[1]);
  }
};";

thread_local! {
    /// One `Blob` URL for every socket the page opens.
    static SCRIPT: OnceCell<Option<String>> = const { OnceCell::new() };
}

fn script_url() -> Option<String> {
    SCRIPT.with(|s| {
        s.get_or_init(|| {
            let parts = js_sys::Array::of1(&JsValue::from_str(WORKER_JS));
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type("text/javascript");
            let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
            web_sys::Url::create_object_url_with_blob(&blob).ok()
        })
        .clone()
    })
}

/// What the socket reports to the page.
pub enum SocketEvent {
    /// The socket opened.
    Open,
    /// One message: a JS string (text) or an `ArrayBuffer` (binary), and
    /// when it arrived (ms since the epoch).
    Message(JsValue, f64),
    /// The end of a batch of messages.
    BatchEnd,
    /// It closed, with this code and reason.
    Close { code: u16, reason: String },
    /// The URL was refused (not a `ws:`/`wss:` URL).
    BadUrl,
}

/// A WebSocket in its own worker. Dropping it does not close it: call
/// [`Socket::close`].
pub struct Socket {
    worker: Worker,
}

fn field(obj: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Post `{name: value}` to the worker.
fn post(worker: &Worker, name: &str, value: &JsValue) -> Result<(), JsValue> {
    let msg = js_sys::Object::new();
    js_sys::Reflect::set(&msg, &JsValue::from_str(name), value)?;
    worker.post_message(&msg)
}

impl Socket {
    /// Open a socket to `url`; `on_event` gets its events in order, every
    /// message of a batch in the order the socket received them.
    /// (`on_event` is boxed: one copy of this code for every socket.)
    pub fn open(url: &str, mut on_event: Box<dyn FnMut(SocketEvent)>) -> Option<Socket> {
        let worker = Worker::new(&script_url()?).ok()?;
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            let data = m.data();
            match field(&data, "e").as_string().as_deref() {
                Some("m") => {
                    let batch: js_sys::Array = field(&data, "d").unchecked_into();
                    let times = field(&data, "t").unchecked_into::<js_sys::Float64Array>().to_vec();
                    for (msg, at) in batch.iter().zip(times) {
                        on_event(SocketEvent::Message(msg, at));
                    }
                    on_event(SocketEvent::BatchEnd);
                }
                Some("open") => on_event(SocketEvent::Open),
                Some("close") => {
                    let code = field(&data, "code").as_f64().unwrap_or(1006.0) as u16;
                    let reason = field(&data, "reason").as_string().unwrap_or_default();
                    on_event(SocketEvent::Close { code, reason });
                }
                Some("bad") => on_event(SocketEvent::BadUrl),
                _ => {}
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        post(&worker, "open", &JsValue::from_str(url)).ok()?;
        Some(Socket { worker })
    }

    /// Send a text message (dropped if the socket is not open).
    pub fn send(&self, text: &str) {
        let _ = post(&self.worker, "send", &JsValue::from_str(text));
    }

    /// Close with `code` and `reason`; the page hears nothing more from it.
    pub fn close(&self, code: u16, reason: &str) {
        self.worker.set_onmessage(None);
        let args = js_sys::Array::of2(&JsValue::from(code), &JsValue::from_str(reason));
        let _ = post(&self.worker, "close", &args);
    }
}
