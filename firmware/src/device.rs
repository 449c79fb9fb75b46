//! The device: a fixed table of sessions, the console, and the poll loop.
//!
//! The platform (twin, browser, board) owns the clock and the network. It
//! hands each new connection to [`Device::attach`], calls [`Device::poll`]
//! with the time whenever something may have happened, and drains
//! [`Device::poll_log`] into its log.

use wisp::CloseCode;

use crate::console::{Console, Ring, Stats};
use crate::http::{Asset, Service, Site};
use crate::session::{Ctx, Ending, Outcome, Phase, Session, Timing};
use crate::sim::XorShift;
use crate::tap::Record;
use crate::{Micros, Transport};

/// How the device behaves.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// Sessions of any kind that may be open at once; one more is turned
    /// away with `503` (HTTP) or a `1013` close (WebSocket).
    pub max_connections: usize,
    /// Keepalive and timeouts.
    pub timing: Timing,
    /// Periodic console lines per second.
    pub rate: u32,
    /// No web server: plain HTTP requests get `426`.
    pub ws_only: bool,
    /// Origins allowed besides the device's own and the dev server.
    pub allowed_origins: &'a [&'a str],
    /// Keep HTTP connections open between requests (see [`Site::keep_alive`]).
    pub keep_alive: bool,
    /// What the boot banner calls the platform.
    pub platform: &'a str,
}

impl Default for Config<'_> {
    fn default() -> Self {
        Config {
            max_connections: 8,
            timing: Timing { ping_interval: 10_000_000, pong_timeout: 5_000_000, http_timeout: 10_000_000 },
            rate: 4,
            ws_only: false,
            allowed_origins: &[],
            keep_alive: true,
            platform: "an unnamed platform",
        }
    }
}

/// Something the platform may want to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogEvent {
    /// A WebSocket session started.
    Opened {
        /// Session id.
        id: u16,
        /// Its service.
        service: Service,
    },
    /// A session ended.
    Closed {
        /// Session id.
        id: u16,
        /// Its service, if it got that far.
        service: Option<Service>,
        /// Why.
        ending: Ending,
    },
}

/// The device. Its session slots are storage the platform provides (a static
/// array on a board, a boxed slice on a host): the connection limit plus a
/// spare or two, with which connections over the limit are told why they are
/// turned away.
pub struct Device<'a, T> {
    slots: &'a mut [Option<Session<T>>],
    parts: Parts<'a>,
    cfg: Config<'a>,
    next_id: u16,
    log: heapless::Deque<LogEvent, 32>,
    stats: Stats,
    dropped_taps: u32,
}

/// What sessions share, kept apart from the slots so both can be borrowed.
struct Parts<'a> {
    console: Console<'a>,
    site: Site<'a>,
    timing: Timing,
    taps: heapless::Deque<Record, 64>,
    rng: XorShift,
}

impl<'a> Parts<'a> {
    fn ctx(&mut self, tapping: bool) -> Ctx<'_, 'a> {
        Ctx {
            console: &mut self.console,
            site: &self.site,
            timing: self.timing,
            taps: if tapping { Some(&mut self.taps) } else { None },
            rng: &mut self.rng,
        }
    }
}

impl<'a, T: Transport> Device<'a, T> {
    /// Boot: print the banner. `slots` should all be `None`; `ring` is the
    /// console's storage ([`console::empty_ring`](crate::console::empty_ring) to
    /// start).
    pub fn new(
        cfg: Config<'a>,
        assets: &'a [Asset],
        slots: &'a mut [Option<Session<T>>],
        ring: &'a mut Ring,
        seed: u32,
    ) -> Self {
        let mut console = Console::new(ring, cfg.rate, seed);
        console.banner(cfg.platform);
        Device {
            slots,
            parts: Parts {
                console,
                site: Site {
                    assets,
                    ws_only: cfg.ws_only,
                    allowed_origins: cfg.allowed_origins,
                    keep_alive: cfg.keep_alive,
                },
                timing: cfg.timing,
                taps: heapless::Deque::new(),
                rng: XorShift::new(seed ^ 0xA5A5_5A5A),
            },
            cfg,
            next_id: 1,
            log: heapless::Deque::new(),
            stats: Stats::default(),
            dropped_taps: 0,
        }
    }

    /// The console (to printf into it, or read it).
    pub fn console(&mut self) -> &mut Console<'a> {
        &mut self.parts.console
    }

    /// Tell the device the wall-clock time, for its clock lines.
    pub fn set_wall_clock(&mut self, unix_secs: u64) {
        self.stats.wall_clock = Some(unix_secs);
    }

    /// Sessions open now.
    pub fn sessions(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Tap records dropped because the tap queue was full.
    pub fn dropped_taps(&self) -> u32 {
        self.dropped_taps
    }

    fn counted(&self) -> usize {
        self.slots.iter().flatten().filter(|s| s.counts()).count()
    }

    fn take_id(&mut self) -> u16 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// A new connection. Beyond the limit it still gets a slot if a spare is
    /// free, only to be told why it is turned away; with no slot at all the
    /// transport is handed back to be dropped.
    pub fn attach(&mut self, io: T, now: Micros) -> Result<u16, T> {
        let mut busy = self.counted() >= self.cfg.max_connections;
        if busy && let Some(idle) = self.slots.iter_mut().flatten().find(|s| s.is_idle_keep_alive()) {
            // A served, idle keep-alive connection gives way to a new one.
            idle.evict();
            busy = false;
        }
        let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) else {
            return Err(io);
        };
        let id = self.next_id;
        *slot = Some(Session::accept(io, id, now, busy));
        self.take_id();
        Ok(id)
    }

    /// A connection the device dialed (`--connect`): it sends the upgrade
    /// request and then streams the console as a WebSocket client.
    pub fn attach_dialed(&mut self, io: T, host: &str, path: &str, now: Micros) -> Result<u16, T> {
        let mut nonce = [0u8; 16];
        for chunk in nonce.chunks_mut(4) {
            chunk.copy_from_slice(&self.parts.rng.next_u32().to_le_bytes());
        }
        let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) else {
            return Err(io);
        };
        let id = self.next_id;
        *slot = Some(Session::dial(io, id, now, host, path, nonce));
        self.take_id();
        Ok(id)
    }

    /// What each open session waits for: `(id, wants input, has output)`.
    pub fn interests(&self) -> impl Iterator<Item = (u16, bool, bool)> + '_ {
        self.slots.iter().flatten().map(|s| {
            let (i, o) = s.interest();
            (s.id, i, o)
        })
    }

    /// Is session `id` still open?
    pub fn is_open(&self, id: u16) -> bool {
        self.slots.iter().flatten().any(|s| s.id == id)
    }

    /// Run everything that can run at `now`. Returns true if any bytes moved
    /// (the platform may then poll again at once instead of sleeping).
    pub fn poll(&mut self, now: Micros) -> bool {
        let mut busy = false;
        let room = self.slots.iter().flatten().filter_map(|s| s.room(&self.parts.console)).max().unwrap_or(u32::MAX);
        self.stats.sessions = self.sessions() as u32;
        self.stats.session_ram = (self.stats.sessions as usize * core::mem::size_of::<Session<T>>()) as u32;
        self.parts.console.tick(now, &self.stats, room);
        let tapping = self.slots.iter().flatten().any(|s| s.service() == Some(Service::Tap));
        for slot in self.slots.iter_mut() {
            let Some(session) = slot else { continue };
            let was = session.phase();
            let mut ctx = self.parts.ctx(tapping);
            let (rx0, tx0) = (session.rx_bytes, session.tx_bytes);
            let outcome = session.poll(now, &mut ctx);
            self.stats.rx_bytes += session.rx_bytes - rx0;
            self.stats.tx_bytes += session.tx_bytes - tx0;
            if let (false, Phase::Ws(service)) = (matches!(was, Phase::Ws(_)), session.phase())
                && session.counts()
            {
                let _ = self.log.push_back(LogEvent::Opened { id: session.id, service });
            }
            match outcome {
                Outcome::Idle => {}
                Outcome::Busy => busy = true,
                Outcome::Ended(ending) => {
                    let service = match was {
                        Phase::Ws(s) => Some(s),
                        _ => session.service(),
                    };
                    let _ = self.log.push_back(LogEvent::Closed { id: session.id, service, ending });
                    *slot = None;
                    busy = true;
                }
            }
        }
        busy |= self.distribute_taps(now);
        busy
    }

    fn distribute_taps(&mut self, now: Micros) -> bool {
        if self.parts.taps.is_empty() {
            return false;
        }
        let mut any = false;
        // Every tap session gets every record; a batch per message.
        let (head, tail) = self.parts.taps.as_slices();
        let mut batch: heapless::Vec<Record, 64> = heapless::Vec::new();
        let _ = batch.extend_from_slice(head);
        let _ = batch.extend_from_slice(tail);
        self.parts.taps.clear();
        for session in self.slots.iter_mut().flatten() {
            if session.service() != Some(Service::Tap) {
                continue;
            }
            let mut ctx = self.parts.ctx(false);
            let mut at = 0;
            while at < batch.len() {
                let sent = session.tap(batch.get(at..).unwrap_or_default(), now, &mut ctx);
                if sent == 0 {
                    self.dropped_taps = self.dropped_taps.wrapping_add((batch.len() - at) as u32);
                    break;
                }
                any = true;
                at += sent;
            }
        }
        any
    }

    /// Close every WebSocket session with `code` (1001 at shutdown) and every
    /// other connection; keep polling until [`sessions`](Self::sessions) is 0.
    pub fn close_all(&mut self, code: CloseCode, why: &'static str, now: Micros) {
        for session in self.slots.iter_mut().flatten() {
            let mut ctx = self.parts.ctx(false);
            session.close(code, why, now, &mut ctx);
        }
    }

    /// The next thing to log, if any.
    pub fn poll_log(&mut self) -> Option<LogEvent> {
        self.log.pop_front()
    }
}
