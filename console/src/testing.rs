//! Deterministic tests of a whole device, without sockets or sleeps
//! (feature `testing`): an in-memory transport ([`Pipe`]), a WebSocket
//! client over it ([`Client`]), and a rig that runs a device with a
//! caller-driven clock ([`Rig`]).
//!
//! ```
//! use wisp_console::testing::Rig;
//! use wisp_console::Config;
//!
//! let mut rig = Rig::new(Config::default(), ());
//! let mut c = rig.connect("/printf");
//! rig.settle(&mut [&mut c]);
//! c.send_text("print hello");
//! rig.settle(&mut [&mut c]);
//! assert!(c.texts().iter().any(|t| t.ends_with("INFO print: hello")));
//! rig.advance(30_000_000); // half a minute later, in no time
//! ```

use std::boxed::Box;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;
use std::string::String;
use std::vec::Vec;

use wisp::endpoint::Storage;
use wisp::handshake::ClientHandshake;
use wisp::{CloseCode, DataKind, Endpoint, Event, MaskSource, Outgoing, Status};

use crate::app::App;
use crate::console::{Console, Lines};
use crate::device::{Config, Device};
use crate::poll::Server;
use crate::session::Session;
use crate::{Micros, Peer};

#[derive(Default)]
struct Shared {
    bytes: VecDeque<u8>,
    closed: bool,
    /// An async reader waiting for bytes, an async writer for room.
    reader: Option<core::task::Waker>,
    writer: Option<core::task::Waker>,
}

/// One end of an in-memory byte pipe; see [`pipe`]. Non-blocking: a read
/// of an empty pipe is not ready, a write to a full one writes nothing.
#[derive(Clone)]
pub struct Pipe {
    rx: Rc<RefCell<Shared>>,
    tx: Rc<RefCell<Shared>>,
    cap: usize,
}

/// Two connected ends, each direction holding up to `cap` bytes (as a
/// socket's buffers do).
pub fn pipe(cap: usize) -> (Pipe, Pipe) {
    let (a, b) = (Rc::new(RefCell::new(Shared::default())), Rc::new(RefCell::new(Shared::default())));
    (Pipe { rx: a.clone(), tx: b.clone(), cap }, Pipe { rx: b, tx: a, cap })
}

impl Pipe {
    /// Take up to `max` bytes.
    pub fn take(&self, max: usize) -> Vec<u8> {
        let mut rx = self.rx.borrow_mut();
        let n = max.min(rx.bytes.len());
        if n > 0
            && let Some(w) = rx.writer.take()
        {
            w.wake();
        }
        rx.bytes.drain(..n).collect()
    }

    /// Put as many of `bytes` as fit; returns how many.
    pub fn put(&self, bytes: &[u8]) -> usize {
        let mut tx = self.tx.borrow_mut();
        if tx.closed {
            return 0;
        }
        let n = bytes.len().min(self.cap.saturating_sub(tx.bytes.len()));
        tx.bytes.extend(bytes.iter().take(n));
        if n > 0
            && let Some(w) = tx.reader.take()
        {
            w.wake();
        }
        n
    }

    /// Close this end's sending side (the peer reads the end of stream).
    pub fn close(&self) {
        let mut tx = self.tx.borrow_mut();
        tx.closed = true;
        if let Some(w) = tx.reader.take() {
            w.wake();
        }
    }

    /// Bytes waiting to be read at this end.
    pub fn pending(&self) -> usize {
        self.rx.borrow().bytes.len()
    }
}

impl embedded_io::ErrorType for Pipe {
    type Error = Infallible;
}

impl embedded_io::Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let got = self.take(buf.len());
        if let Some(dst) = buf.get_mut(..got.len()) {
            dst.copy_from_slice(&got);
        }
        Ok(got.len())
    }
}

impl embedded_io::ReadReady for Pipe {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        let rx = self.rx.borrow();
        Ok(!rx.bytes.is_empty() || rx.closed)
    }
}

impl embedded_io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(self.put(buf))
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io::WriteReady for Pipe {
    fn write_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.tx.borrow().bytes.len() < self.cap)
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Read for Pipe {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        core::future::poll_fn(|cx| {
            let ready = {
                let rx = self.rx.borrow();
                !rx.bytes.is_empty() || rx.closed || buf.is_empty()
            };
            if !ready {
                self.rx.borrow_mut().reader = Some(cx.waker().clone());
                return core::task::Poll::Pending;
            }
            core::task::Poll::Ready(Ok(embedded_io::Read::read(self, buf).unwrap_or(0)))
        })
        .await
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Write for Pipe {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        core::future::poll_fn(|cx| {
            let n = self.put(buf);
            if n == 0 && !buf.is_empty() {
                self.tx.borrow_mut().writer = Some(cx.waker().clone());
                return core::task::Poll::Pending;
            }
            core::task::Poll::Ready(Ok(n))
        })
        .await
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// A clock the test moves by hand, for the async driver.
#[cfg(feature = "async")]
#[derive(Clone, Default)]
pub struct ManualClock {
    now: Rc<core::cell::Cell<Micros>>,
    waiting: Rc<RefCell<Vec<core::task::Waker>>>,
}

#[cfg(feature = "async")]
impl ManualClock {
    /// Move the time forward, waking whoever waits for it.
    pub fn advance(&self, micros: Micros) {
        self.now.set(self.now.get() + micros);
        for w in self.waiting.borrow_mut().drain(..) {
            w.wake();
        }
    }
}

#[cfg(feature = "async")]
impl crate::asynch::Clock for ManualClock {
    fn now(&self) -> Micros {
        self.now.get()
    }

    fn at(&self, deadline: Micros) -> impl core::future::Future<Output = ()> {
        core::future::poll_fn(move |cx| {
            if self.now.get() >= deadline {
                return core::task::Poll::Ready(());
            }
            let mut waiting = self.waiting.borrow_mut();
            if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                waiting.push(cx.waker().clone());
            }
            core::task::Poll::Pending
        })
    }
}

/// Masking keys for test clients: a counter, different for every frame.
struct Keys(u32);

impl MaskSource for Keys {
    fn next_key(&mut self) -> [u8; 4] {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0.to_le_bytes()
    }
}

/// Notes the close frame a device sent, from the wire.
struct CloseSeen(Option<(Option<u16>, String)>);

impl wisp::Tap for CloseSeen {
    fn received(&mut self, wire: &[u8]) {
        if let [b0, len, payload @ ..] = wire
            && b0 & 0x0F == 0x8
            && usize::from(*len) == payload.len()
        {
            let code = payload.get(..2).and_then(|c| <[u8; 2]>::try_from(c).ok()).map(u16::from_be_bytes);
            let reason = String::from_utf8_lossy(payload.get(2..).unwrap_or_default()).into_owned();
            self.0 = Some((code, reason));
        }
    }

    fn sent(&mut self, _: &[u8]) {}
}

/// A message a [`Client`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

/// A WebSocket client over a [`Pipe`], on `wisp`'s client endpoint.
pub struct Client {
    end: Pipe,
    hs: ClientHandshake,
    head: Vec<u8>,
    ep: Option<Box<Endpoint<Storage<16384, 4096>, wisp::Client, Keys>>>,
    /// The device refused the upgrade with this response.
    pub refusal: Option<String>,
    msg: Vec<u8>,
    kind: DataKind,
    /// Messages received, oldest first.
    pub received: VecDeque<Message>,
    /// Answer the device's pings (on by default; off to test the pong
    /// timeout).
    pub answer_pings: bool,
    /// Read what the device sends (on by default; off for a client that
    /// never reads).
    pub reading: bool,
    /// The device's close frame, once it came.
    pub close: Option<(Option<u16>, String)>,
    /// The device ended the connection.
    pub ended: bool,
}

impl Client {
    /// Send the upgrade request for `path` to `host` on `end`, with
    /// `headers` (each ending in CRLF) added.
    pub fn connect(end: Pipe, host: &str, path: &str, headers: &str, seed: u32) -> Client {
        let mut nonce = [0u8; 16];
        for (i, b) in nonce.iter_mut().enumerate() {
            *b = (seed.rotate_left(i as u32) >> 3) as u8 ^ i as u8;
        }
        let hs = ClientHandshake::new(nonce);
        let mut req = [0u8; 1024];
        if let Ok(n) = hs.write_request(host, path, None, None, &mut req) {
            // Extra headers go before the blank line.
            let (head, _) = req.split_at(n - 2);
            end.put(head);
            end.put(headers.as_bytes());
            end.put(b"\r\n");
        }
        Client {
            end,
            hs,
            head: Vec::new(),
            ep: None,
            refusal: None,
            msg: Vec::new(),
            kind: DataKind::Text,
            received: VecDeque::new(),
            answer_pings: true,
            reading: true,
            close: None,
            ended: false,
        }
    }

    /// The upgrade succeeded.
    pub fn is_open(&self) -> bool {
        self.ep.is_some()
    }

    /// Read and handle what has arrived; true if anything did.
    pub fn poll(&mut self) -> bool {
        if !self.reading {
            return false;
        }
        let mut moved = false;
        if self.ep.is_none() && self.refusal.is_none() {
            let got = self.end.take(usize::MAX);
            moved |= !got.is_empty();
            self.head.extend(got);
            match self.hs.parse_response(&self.head, None) {
                Ok(Status::Complete(resp)) => {
                    let mut ep = Box::new(Endpoint::owned_client(Keys(0x9e37_79b9)));
                    let _ = ep.preload(self.head.get(resp.head_len..).unwrap_or_default());
                    self.ep = Some(ep);
                }
                Ok(Status::Partial) => {
                    if self.end.rx.borrow().closed && !self.head.is_empty() {
                        self.refusal = Some(String::from_utf8_lossy(&self.head).into_owned());
                    }
                    return moved;
                }
                Err(_) => {
                    // Not a 101: keep the whole response, to be looked at.
                    if self.end.rx.borrow().closed || self.head.windows(4).any(|w| w == b"\r\n\r\n") {
                        self.refusal = Some(String::from_utf8_lossy(&self.head).into_owned());
                    }
                    return moved;
                }
            }
        }
        let Some(ep) = self.ep.as_mut() else { return moved };
        loop {
            let room = ep.input();
            let got = self.end.take(room.len());
            if let Some(dst) = room.get_mut(..got.len()) {
                dst.copy_from_slice(&got);
            }
            ep.filled(got.len());
            let mut progressed = !got.is_empty();
            loop {
                if !self.answer_pings && ep.unread().first().is_some_and(|b| b & 0x0F == 0x9) {
                    // Swallow the ping unanswered: a client that has gone quiet.
                    let n = 2 + usize::from(ep.unread().get(1).copied().unwrap_or(0) & 0x7F);
                    if ep.unread().len() < n {
                        break;
                    }
                    ep.exchange_raw(|_, _| (n, 0, ()));
                    progressed = true;
                    continue;
                }
                let mut seen = CloseSeen(None);
                let polled = ep.poll_tapped(&mut seen);
                if let Some(close) = seen.0 {
                    // The device's close as it sent it, whether or not this
                    // client's engine accepts its code (1012-1014 are not
                    // RFC 6455's).
                    self.close = Some(close);
                }
                match polled {
                    Ok(Some(Event::Data { kind, payload, fin })) => {
                        progressed = true;
                        if self.msg.is_empty() {
                            self.kind = kind;
                        }
                        self.msg.extend_from_slice(payload);
                        if fin {
                            let m = core::mem::take(&mut self.msg);
                            self.received.push_back(match self.kind {
                                DataKind::Text => Message::Text(String::from_utf8_lossy(&m).into_owned()),
                                DataKind::Binary => Message::Binary(m),
                            });
                        }
                    }
                    Ok(Some(_)) => progressed = true,
                    Ok(None) | Err(_) => break,
                }
            }
            let n = self.end.put(ep.output());
            ep.written(n);
            moved |= progressed;
            if !progressed {
                break;
            }
        }
        if self.end.rx.borrow().closed && self.end.pending() == 0 {
            self.ended = true;
        }
        moved
    }

    /// Send a text message.
    pub fn send_text(&mut self, text: &str) {
        self.send(Outgoing::Text { payload: text.as_bytes(), fin: true });
    }

    /// Send a frame.
    pub fn send(&mut self, frame: Outgoing<'_>) {
        if let Some(ep) = self.ep.as_mut() {
            let _ = ep.send(frame);
            let n = self.end.put(ep.output());
            ep.written(n);
        }
    }

    /// Send raw bytes, whatever they are.
    pub fn send_raw(&mut self, bytes: &[u8]) -> usize {
        self.end.put(bytes)
    }

    /// Start the closing handshake.
    pub fn close(&mut self, code: CloseCode, reason: &str) {
        self.send(Outgoing::close(code, reason));
    }

    /// The text messages received so far, taken.
    pub fn texts(&mut self) -> Vec<String> {
        self.received
            .drain(..)
            .filter_map(|m| match m {
                Message::Text(t) => Some(t),
                Message::Binary(_) => None,
            })
            .collect()
    }
}

/// A device on a caller-driven clock, served by the poll driver over pipes.
pub struct Rig<'a, A: App> {
    /// The device and its sessions.
    pub server: Server<'a, Pipe, A, 64, 1024, 2048>,
    /// The console it writes to.
    pub console: &'a Console<16384, 16>,
    /// The time, µs since boot.
    pub now: Micros,
    seed: u32,
    /// Bytes each direction of a connection holds (its socket buffers).
    pub socket_buffer: usize,
}

/// The session table a [`Rig`] serves from.
pub type RigSlots = Vec<crate::poll::Slot<Pipe>>;

impl<A: App> Rig<'static, A> {
    /// A device running `app` with `cfg`, at time 0. Its console and
    /// session table are leaked, for a test's convenience; a loop that makes
    /// many (a fuzz target) uses [`Rig::within`].
    pub fn new(cfg: Config<'static>, app: A) -> Self {
        Self::with_console(cfg, app, Console::new())
    }

    /// The same, with a console of your policy.
    pub fn with_console(cfg: Config<'static>, app: A, console: Console<16384, 16>) -> Self {
        let console: &'static Console<16384, 16> = Box::leak(Box::new(console));
        let slots = Box::leak(Box::new(Rig::<A>::slots(&cfg)));
        Rig::within(cfg, app, console, slots)
    }
}

impl<'a, A: App> Rig<'a, A> {
    /// A session table for `cfg`: room for its sessions and four more
    /// connections to refuse.
    pub fn slots(cfg: &Config<'_>) -> RigSlots {
        (0..cfg.max_sessions + 4).map(|_| None).collect()
    }

    /// A device running `app` with `cfg` on a console and session table
    /// the caller owns (see [`Rig::slots`]).
    pub fn within(cfg: Config<'a>, app: A, console: &'a Console<16384, 16>, slots: &'a mut RigSlots) -> Self {
        let device = Device::new(cfg, console as &dyn Lines, app);
        Rig { server: Server::new(device, slots), console, now: 0, seed: 1, socket_buffer: 64 * 1024 }
    }

    /// A new raw connection from `peer`: the device end is attached, the
    /// client end returned (`None` when the device has no slot for it).
    pub fn dial_raw(&mut self, peer: Option<Peer>) -> Option<Pipe> {
        let (client, device) = pipe(self.socket_buffer);
        self.server.attach(device, peer, self.now).ok().map(|_| client)
    }

    /// A WebSocket client opening `path` on `127.0.0.1`.
    pub fn connect(&mut self, path: &str) -> Client {
        self.connect_with(path, "", None)
    }

    /// A WebSocket client with extra headers, from `peer`.
    pub fn connect_with(&mut self, path: &str, headers: &str, peer: Option<Peer>) -> Client {
        self.seed = self.seed.wrapping_mul(747_796_405).wrapping_add(1);
        let end = self.dial_raw(peer).unwrap_or_else(|| pipe(1).0);
        Client::connect(end, "127.0.0.1:8080", path, headers, self.seed)
    }

    /// Run the device and `clients` until neither has anything left to do
    /// at this time (or 10,000 rounds).
    pub fn settle(&mut self, clients: &mut [&mut Client]) {
        for _ in 0..10_000 {
            let mut moved = self.server.poll(self.now);
            for c in clients.iter_mut() {
                moved |= c.poll();
            }
            if !moved {
                return;
            }
        }
    }

    /// Let `micros` pass, running the device every millisecond of it (as a
    /// driver would wake for its deadlines) with nobody's help.
    pub fn advance(&mut self, micros: Micros) {
        let end = self.now + micros;
        while self.now < end {
            self.now = (self.now + 1_000).min(end);
            while self.server.poll(self.now) {}
        }
    }

    /// Let `micros` pass in 1 ms steps, running the device and `clients`.
    pub fn advance_with(&mut self, micros: Micros, clients: &mut [&mut Client]) {
        let end = self.now + micros;
        while self.now < end {
            self.now = (self.now + 1_000).min(end);
            self.settle(clients);
        }
    }

    /// The session count the device has now.
    pub fn sessions(&self) -> usize {
        self.server.sessions()
    }
}

/// A session of the rig's size, for tests that drive one by hand.
pub type RigSession = Session<1024, 2048>;
