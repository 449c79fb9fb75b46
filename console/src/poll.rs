//! The driver for a non-blocking poll loop: sessions in a fixed table, over
//! `embedded-io` transports that never block (host sockets, raw `smoltcp`,
//! in-memory pipes).
//!
//! ```no_run
//! # use wisp_console::{poll::Server, Config, Console, Device, Session};
//! # fn accept() -> Option<wisp_console::testing::Pipe> { None }
//! # fn micros() -> u64 { 0 }
//! static CONSOLE: Console = Console::new();
//! let device: Device<'_, ()> = Device::new(Config::default(), &CONSOLE, ());
//! let mut slots: [Option<(wisp_console::testing::Pipe, Session)>; 6] = Default::default();
//! let mut server = Server::new(device, &mut slots);
//! loop {
//!     if let Some(conn) = accept() {
//!         let _ = server.attach(conn, None, micros());
//!     }
//!     server.poll(micros());
//! }
//! ```

use embedded_io::{Read, ReadReady, Write, WriteReady};
use wisp::CloseCode;

use crate::app::App;
use crate::device::Device;
use crate::session::{Session, Step};
use crate::{Micros, Peer};

/// What the driver needs of a connection: the `embedded-io` traits, used
/// without blocking. `read` is called only when `read_ready` says so (and
/// `Ok(0)` then means the peer closed); `write` only when `write_ready` says
/// so, and it may return `Ok(0)` if the transport has no room after all.
pub trait Transport: Read + Write + ReadReady + WriteReady {}

impl<T: Read + Write + ReadReady + WriteReady> Transport for T {}

/// A slot of the session table: a transport and its session.
pub type Slot<T, const RX: usize = 1024, const TX: usize = 2048> = Option<(T, Session<RX, TX>)>;

/// The device and its table of sessions.
pub struct Server<'a, T, A, const N: usize = 8, const RX: usize = 1024, const TX: usize = 2048> {
    /// The device (application, console, configuration).
    pub device: Device<'a, A, N>,
    slots: &'a mut [Slot<T, RX, TX>],
}

impl<'a, T: Transport, A: App, const N: usize, const RX: usize, const TX: usize> Server<'a, T, A, N, RX, TX> {
    /// Serve `device` with `slots` (all `None`): the connection limit plus a
    /// spare or two, to tell connections over the limit why they are turned
    /// away. A board keeps them in a `static`, a host in a `Vec`.
    pub fn new(device: Device<'a, A, N>, slots: &'a mut [Slot<T, RX, TX>]) -> Self {
        Server { device, slots }
    }

    /// A new connection (from `peer`, if the platform knows it). With no
    /// slot left the transport is handed back, to be dropped.
    pub fn attach(&mut self, io: T, peer: Option<Peer>, now: Micros) -> Result<u16, T> {
        let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) else { return Err(io) };
        let Some(admission) = self.device.admit(peer) else { return Err(io) };
        *slot = Some((io, Session::accept(admission, now)));
        Ok(admission.id)
    }

    /// A connection the device dialed: it sends the upgrade request for
    /// `host` and `path`, then streams the console as a client. Needs the
    /// platform's entropy in [`Config::entropy`](crate::Config::entropy).
    #[cfg(feature = "dial")]
    pub fn attach_dialed(&mut self, io: T, host: &str, path: &str, now: Micros) -> Result<u16, T> {
        let Some(entropy) = self.device.config().entropy else { return Err(io) };
        let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) else { return Err(io) };
        let Some(admission) = self.device.admit(None) else { return Err(io) };
        *slot = Some((io, Session::dial(admission, now, host, path, entropy)));
        Ok(admission.id)
    }

    /// Is session `id` still open?
    pub fn is_open(&self, id: u16) -> bool {
        self.slots.iter().flatten().any(|(_, s)| s.id() == id)
    }

    /// Sessions open now.
    pub fn sessions(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// What each open session waits for: `(id, wants input, has output)`.
    /// A platform waits on exactly these, so a session whose answers must
    /// drain first is not woken by input it would not take.
    pub fn interests(&self) -> impl Iterator<Item = (u16, bool, bool)> + '_ {
        self.slots.iter().flatten().map(|(_, s)| (s.id(), s.wants_input(), s.has_output()))
    }

    /// The latest time the next [`poll`](Self::poll) is due if nothing
    /// happens before.
    pub fn deadline(&self) -> Micros {
        let t = &self.device.config().timing;
        self.slots.iter().flatten().map(|(_, s)| s.deadline(t)).min().unwrap_or(Micros::MAX)
    }

    /// Run everything that can run at `now`. Returns true if any bytes
    /// moved (poll again at once instead of sleeping).
    pub fn poll(&mut self, now: Micros) -> bool {
        let mut busy = false;
        self.device.tick(now);
        for slot in self.slots.iter_mut() {
            let Some((io, session)) = slot else { continue };
            let ending = match drive(io, session, &mut self.device, now) {
                Ok(moved) => {
                    busy |= moved;
                    None
                }
                Err(ending) => Some(ending),
            };
            if ending.is_some() {
                *slot = None;
                busy = true;
            }
        }
        busy
    }

    /// Close every WebSocket session with `code` (1001 at shutdown) and every
    /// other connection; keep polling until [`sessions`](Self::sessions) is 0.
    pub fn close_all(&mut self, code: CloseCode, why: &'static str, now: Micros) {
        for (_, s) in self.slots.iter_mut().flatten() {
            s.close(code, why, now);
        }
    }
}

/// One session's turn: read, run, write. `Err` when it has ended.
fn drive<T: Transport, A: App, const N: usize, const RX: usize, const TX: usize>(
    io: &mut T,
    session: &mut Session<RX, TX>,
    dev: &mut Device<'_, A, N>,
    now: Micros,
) -> Result<bool, crate::session::Ending> {
    let mut moved = false;
    if session.wants_input() {
        match io.read_ready() {
            Ok(true) => {
                let room = session.input();
                if !room.is_empty() {
                    match io.read(room) {
                        Ok(n) => {
                            session.received(n, now);
                            moved = true;
                        }
                        Err(_) => return Err(session.abort("transport error", dev)),
                    }
                }
            }
            Ok(false) => {}
            Err(_) => return Err(session.abort("transport error", dev)),
        }
    }
    let step = session.poll(now, dev);
    while session.has_output() {
        match io.write_ready() {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(session.abort("transport error while sending", dev)),
        }
        match io.write(session.output()) {
            Ok(0) => break,
            Ok(n) => {
                session.sent(n, now);
                moved = true;
            }
            Err(_) => return Err(session.abort("transport error while sending", dev)),
        }
    }
    match step {
        Step::Ended(ending) => {
            let _ = io.flush();
            Err(ending)
        }
        Step::Busy => Ok(true),
        Step::Idle => Ok(moved),
    }
}
