//! The device: what every session shares — the application, the console,
//! the configuration, the tap records, the table of open sessions — and the
//! limits that table enforces.
//!
//! The drivers ([`poll`](crate::poll), [`asynch`](crate::asynch)) own the
//! transports and the sessions; each session takes the device by `&mut` for
//! the length of one [`Session::poll`](crate::Session::poll), so one engine
//! serves both.

use crate::app::{App, Stats, Tick};
use crate::console::Lines;
use crate::http::{Service, Site};
use crate::session::{Ending, Timing};
use crate::tap::TapRing;
use crate::{Micros, Peer};

/// How the device behaves.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// Sessions of any kind served at once; one more is turned away with
    /// `503` (HTTP) or a `1013` close (WebSocket).
    pub max_sessions: usize,
    /// Sessions one peer address may hold at once (when the platform knows
    /// the address); one more is turned away the same way.
    pub max_per_peer: usize,
    /// Keepalive, timeouts and deadlines.
    pub timing: Timing,
    /// The web server: files, access rules, services.
    pub site: Site<'a>,
    /// Console lines a new `/printf` client gets from before it connected.
    pub backlog: u64,
    /// The platform's entropy, for the client role's key and masks
    /// (RFC 6455 §4.1, §5.3): `getrandom` on a host, the browser's
    /// `crypto.getRandomValues`, a hardware RNG on a board.
    pub entropy: Option<fn(&mut [u8])>,
}

impl Default for Config<'_> {
    fn default() -> Self {
        Config {
            max_sessions: 4,
            max_per_peer: 4,
            timing: Timing::default(),
            site: Site::default(),
            backlog: 32,
            entropy: None,
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

/// An open session, as the device keeps track of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Open {
    pub id: u16,
    pub peer: Option<Peer>,
    /// Counts against the limits (not turned away, not closing).
    pub counts: bool,
    /// An idle keep-alive connection: the first to go for a new one.
    pub idle: bool,
    /// The device asks it to close.
    pub evict: bool,
}

/// A new session's place: its id, and whether it is over a limit (to be
/// told why and closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Its id, unique among open sessions.
    pub id: u16,
    /// Over a limit: it gets `503` or `1013`.
    pub busy: bool,
}

/// The device; `N` bounds the sessions open at once, those being turned
/// away included (the connection limit plus a few spares).
pub struct Device<'a, A, const N: usize = 8> {
    /// The application: its state, commands and periodic work.
    pub app: A,
    pub(crate) console: &'a dyn Lines,
    pub(crate) cfg: Config<'a>,
    pub(crate) taps: TapRing,
    pub(crate) stats: Stats,
    open: [Option<Open>; N],
    next_id: u16,
    address: heapless::String<46>,
    log: heapless::Deque<LogEvent, 16>,
    next_tick: Option<Micros>,
    /// Counts events sessions may wait for (tap records, evictions, a
    /// command that changed the application).
    generation: u32,
    #[cfg(feature = "async")]
    pub(crate) wakers: crate::wake::WakerSet<N>,
}

impl<'a, A: App, const N: usize> Device<'a, A, N> {
    /// A device running `app` on `console`.
    pub fn new(cfg: Config<'a>, console: &'a dyn Lines, app: A) -> Self {
        Device {
            app,
            console,
            cfg,
            taps: TapRing::new(),
            stats: Stats::default(),
            open: [None; N],
            next_id: 1,
            address: heapless::String::new(),
            log: heapless::Deque::new(),
            next_tick: Some(0),
            generation: 0,
            #[cfg(feature = "async")]
            wakers: crate::wake::WakerSet::new(),
        }
    }

    /// The console.
    pub fn console(&self) -> &'a dyn Lines {
        self.console
    }

    /// The configuration.
    pub fn config(&self) -> &Config<'a> {
        &self.cfg
    }

    /// The device's figures.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Tell the device its network address (for the `Host` check), e.g.
    /// from DHCP; `""` when it has none.
    pub fn set_address(&mut self, address: &str) {
        self.address.clear();
        let _ = self.address.push_str(address);
    }

    /// Tell the device the wall-clock time, for lines that show it.
    pub fn set_wall_clock(&mut self, unix_secs: u64) {
        self.stats.wall_clock = Some(unix_secs);
    }

    pub(crate) fn address(&self) -> Option<&str> {
        (!self.address.is_empty()).then_some(self.address.as_str())
    }

    /// Sessions open now, of every kind.
    pub fn sessions(&self) -> usize {
        self.open.iter().flatten().count()
    }

    /// Tap records a `/tap` reader lost by reading too slowly.
    pub fn dropped_taps(&self) -> u64 {
        self.taps.dropped
    }

    /// The next thing to log, if any.
    pub fn poll_log(&mut self) -> Option<LogEvent> {
        self.log.pop_front()
    }

    pub(crate) fn log(&mut self, e: LogEvent) {
        if self.log.is_full() {
            let _ = self.log.pop_front();
        }
        let _ = self.log.push_back(e);
    }

    /// Take a place for a new connection from `peer`. Over a limit it still
    /// gets one while the table has room, only to be told why it is turned
    /// away; with the table full, `None`: drop the connection.
    pub fn admit(&mut self, peer: Option<Peer>) -> Option<Admission> {
        let counted = self.open.iter().flatten().filter(|o| o.counts).count();
        let mut busy = counted >= self.cfg.max_sessions;
        if busy && let Some(idle) = self.open.iter_mut().flatten().find(|o| o.idle && !o.evict) {
            // A served, idle keep-alive connection gives way to a new one
            // (RFC 9112 §9.6: a server may close one at any time).
            idle.evict = true;
            busy = false;
            self.wake();
        }
        if let Some(p) = peer {
            let mine = self.open.iter().flatten().filter(|o| o.counts && o.peer == Some(p)).count();
            busy |= mine >= self.cfg.max_per_peer;
        }
        let id = self.fresh_id();
        let slot = self.open.iter_mut().find(|s| s.is_none())?;
        *slot = Some(Open { id, peer, counts: !busy, idle: false, evict: false });
        Some(Admission { id, busy })
    }

    /// An id no open session has (ids wrap at `u16::MAX`, skipping 0).
    fn fresh_id(&mut self) -> u16 {
        loop {
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1).max(1);
            if !self.open.iter().flatten().any(|o| o.id == id) {
                return id;
            }
        }
    }

    /// The session ended: free its place.
    pub fn release(&mut self, id: u16) {
        for slot in self.open.iter_mut() {
            if slot.is_some_and(|o| o.id == id) {
                *slot = None;
            }
        }
        self.stats.sessions = self.sessions() as u32;
    }

    pub(crate) fn entry(&mut self, id: u16) -> Option<&mut Open> {
        self.open.iter_mut().flatten().find(|o| o.id == id)
    }

    /// Run the application's periodic work if it is due; returns when it
    /// next is.
    pub fn tick(&mut self, now: Micros) -> Option<Micros> {
        self.console.set_now(now);
        self.stats.sessions = self.sessions() as u32;
        if self.next_tick.is_some_and(|t| now >= t) {
            let mut tick = Tick { now, console: self.console, stats: &self.stats };
            self.next_tick = self.app.tick(&mut tick);
        }
        self.next_tick
    }

    /// When the application's work next runs (see [`tick`](Self::tick)).
    pub fn next_tick(&self) -> Option<Micros> {
        self.next_tick
    }

    /// Ask for the application's work to run at the next [`tick`](Self::tick)
    /// (a command changed what it does).
    pub fn wake_app(&mut self) {
        self.next_tick = Some(0);
        self.wake();
    }

    pub(crate) fn wake(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        #[cfg(feature = "async")]
        self.wakers.wake_all();
    }

    /// How many events sessions may wait for have happened.
    #[cfg(feature = "async")]
    pub(crate) fn generation(&self) -> u32 {
        self.generation
    }
}
