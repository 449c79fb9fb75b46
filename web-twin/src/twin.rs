//! The in-browser twin: the very `wisp-firmware` the device-sim and the board
//! run, over in-memory pipes instead of sockets. The page talks to it the way
//! it talks to a device — an HTTP upgrade and WebSocket frames, produced and
//! parsed by the `wisp` core on both sides — so the wire view shows the real
//! bytes.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;

use wisp::endpoint::Storage;
use wisp::handshake::ClientHandshake;
use wisp::{DataKind, Endpoint, Event, MaskSource, Outgoing, Status};
use wisp_firmware::session::Timing;
use wisp_firmware::sim::XorShift;
use wisp_firmware::{Config, Device, Session};

/// Bytes one direction of a pipe holds before writes see "no room".
const PIPE_CAP: usize = 64 * 1024;

#[derive(Default)]
struct Shared {
    bytes: VecDeque<u8>,
    closed: bool,
}

/// One end of an in-memory byte pipe.
#[derive(Clone)]
pub struct End {
    rx: Rc<RefCell<Shared>>,
    tx: Rc<RefCell<Shared>>,
}

/// Two connected ends.
pub fn pipe() -> (End, End) {
    let (a, b) = (Rc::new(RefCell::new(Shared::default())), Rc::new(RefCell::new(Shared::default())));
    (End { rx: a.clone(), tx: b.clone() }, End { rx: b, tx: a })
}

impl End {
    fn take(&self, max: usize) -> Vec<u8> {
        let mut rx = self.rx.borrow_mut();
        let n = max.min(rx.bytes.len());
        rx.bytes.drain(..n).collect()
    }

    fn put(&self, bytes: &[u8]) -> usize {
        let mut tx = self.tx.borrow_mut();
        let n = bytes.len().min(PIPE_CAP - tx.bytes.len());
        tx.bytes.extend(&bytes[..n]);
        n
    }
}

impl embedded_io::ErrorType for End {
    type Error = Infallible;
}

impl embedded_io::Read for End {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let got = self.take(buf.len());
        buf[..got.len()].copy_from_slice(&got);
        Ok(got.len())
    }
}

impl embedded_io::ReadReady for End {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        let rx = self.rx.borrow();
        Ok(!rx.bytes.is_empty() || rx.closed)
    }
}

impl embedded_io::Write for End {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(self.put(buf))
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io::WriteReady for End {
    fn write_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.tx.borrow().bytes.len() < PIPE_CAP)
    }
}

/// What the page receives from the twin, as from a WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A whole text message.
    Text(String),
    /// A whole binary message.
    Binary(Vec<u8>),
}

/// Masking keys for the page's client endpoints.
struct Keys(XorShift);

impl MaskSource for Keys {
    fn next_key(&mut self) -> [u8; 4] {
        self.0.next_u32().to_le_bytes()
    }
}

/// The page's side of one connection: a `wisp` client endpoint, which
/// answers the device's pings and its close by itself.
struct Client {
    end: End,
    hs: ClientHandshake,
    head: Vec<u8>,
    ep: Option<Box<Endpoint<Storage<4096, 1024>, wisp::Client, Keys>>>,
    seed: u32,
    msg: Vec<u8>,
    kind: DataKind,
}

impl Client {
    fn open(end: End, path: &str, nonce: [u8; 16], seed: u32) -> Client {
        let hs = ClientHandshake::new(nonce);
        let mut req = [0u8; 512];
        if let Ok(n) = hs.write_request("twin", path, Some("http://twin"), None, &mut req) {
            end.put(&req[..n]);
        }
        Client { end, hs, head: Vec::new(), ep: None, seed, msg: Vec::new(), kind: DataKind::Text }
    }

    fn send(&mut self, frame: Outgoing<'_>) {
        if let Some(ep) = self.ep.as_mut() {
            let _ = ep.send(frame);
            flush(ep, &self.end);
        }
    }

    fn poll(&mut self, out: &mut Vec<Incoming>) {
        if self.ep.is_none() {
            self.head.extend(self.end.take(usize::MAX));
            let Ok(Status::Complete(resp)) = self.hs.parse_response(&self.head, None) else { return };
            let Ok(mut ep) = Endpoint::client(Storage::new(), Keys(XorShift::new(self.seed))) else { return };
            let _ = ep.preload(&self.head[resp.head_len..]);
            self.ep = Some(Box::new(ep));
        }
        let Some(ep) = self.ep.as_mut() else { return };
        loop {
            let room = ep.input();
            let got = self.end.take(room.len());
            room[..got.len()].copy_from_slice(&got);
            ep.filled(got.len());
            let mut progressed = !got.is_empty();
            while let Ok(Some(event)) = ep.poll() {
                progressed = true;
                if let Event::Data { kind, payload, fin } = event {
                    if self.msg.is_empty() {
                        self.kind = kind;
                    }
                    self.msg.extend_from_slice(payload);
                    if fin {
                        let m = std::mem::take(&mut self.msg);
                        out.push(match self.kind {
                            DataKind::Text => Incoming::Text(String::from_utf8(m).unwrap_or_default()),
                            DataKind::Binary => Incoming::Binary(m),
                        });
                    }
                }
            }
            // Pongs and the close reply the endpoint queued.
            flush(ep, &self.end);
            if !progressed {
                break;
            }
        }
    }
}

/// Write what the endpoint queued into the pipe.
fn flush(ep: &mut Endpoint<Storage<4096, 1024>, wisp::Client, Keys>, end: &End) {
    let n = end.put(ep.output());
    ep.written(n);
}

/// A simulated device in the page, with the page's `/printf` and `/tap`
/// connections to it.
pub struct Twin {
    device: Device<'static, End>,
    console: Client,
    tap: Client,
}

impl Twin {
    /// Boot the device and connect to it. `seed` varies keys and sensor noise.
    pub fn new(seed: u32) -> Twin {
        let slots: &'static mut [Option<Session<End>>] =
            Box::leak((0..4).map(|_| None).collect::<Vec<_>>().into_boxed_slice());
        let cfg = Config {
            max_connections: 2,
            timing: Timing { ping_interval: 2_000_000, pong_timeout: 2_000_000, http_timeout: 10_000_000 },
            rate: 4,
            ws_only: true,
            allowed_origins: &["http://twin"],
            keep_alive: true,
            platform: "the in-browser twin (wasm32)",
        };
        let ring = Box::leak(Box::new(wisp_firmware::console::empty_ring()));
        let mut device = Device::new(cfg, &[], slots, ring, seed);
        let mut rng = XorShift::new(seed ^ 0x5EED);
        let mut nonce = || {
            let mut n = [0u8; 16];
            for c in n.chunks_mut(4) {
                c.copy_from_slice(&rng.next_u32().to_le_bytes());
            }
            n
        };
        let (page, dev) = pipe();
        let _ = device.attach(dev, 0);
        let console = Client::open(page, "/printf", nonce(), seed ^ 0xC0FFEE);
        let (page, dev) = pipe();
        let _ = device.attach(dev, 0);
        let tap = Client::open(page, "/tap", nonce(), seed ^ 0xFEED);
        Twin { device, console, tap }
    }

    /// Run the device and both connections at `now` (µs); returns what the
    /// console connection and the tap connection received.
    pub fn poll(&mut self, now: u64) -> (Vec<Incoming>, Vec<Incoming>) {
        let (mut console, mut tap) = (Vec::new(), Vec::new());
        for _ in 0..8 {
            let busy = self.device.poll(now);
            self.console.poll(&mut console);
            self.tap.poll(&mut tap);
            if !busy {
                break;
            }
        }
        (console, tap)
    }

    /// Send a command on the console connection.
    pub fn command(&mut self, text: &str) {
        self.console.send(Outgoing::Text { payload: text.as_bytes(), fin: true });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[Incoming]) -> Vec<String> {
        v.iter().filter_map(|m| if let Incoming::Text(t) = m { Some(t.clone()) } else { None }).collect()
    }

    #[test]
    fn the_twin_streams_answers_commands_and_taps() {
        let mut t = Twin::new(7);
        let mut lines = Vec::new();
        let mut records = 0;
        let mut now = 0;
        for _ in 0..200 {
            now += 10_000;
            let (c, tap) = t.poll(now);
            lines.extend(texts(&c));
            records += tap.len();
        }
        assert!(lines.iter().any(|l| l.starts_with("#0 Wisp device")), "{lines:?}");
        let seqs: Vec<u32> = lines.iter().filter_map(|l| l[1..].split(' ').next()?.parse().ok()).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "in order: {seqs:?}");
        assert!(seqs.len() >= 8, "periodic lines at 4/s for 2 s: {seqs:?}");
        t.command("pause");
        let mut replies = Vec::new();
        for _ in 0..10 {
            now += 10_000;
            replies.extend(texts(&t.poll(now).0));
        }
        assert!(replies.contains(&"> paused".to_string()), "{replies:?}");
        assert!(records > 0, "the tap saw frames");
        // Pings are answered by the page's client: after 4 s the console is alive.
        for _ in 0..400 {
            now += 10_000;
            t.poll(now);
        }
        t.command("print still here");
        let mut after = Vec::new();
        for _ in 0..10 {
            now += 10_000;
            after.extend(texts(&t.poll(now).0));
        }
        assert!(after.iter().any(|l| l.ends_with("still here")), "{after:?}");
    }
}
