//! One connection, from its first request byte to its close — sans-IO.
//!
//! A session starts in HTTP: it reads a request head, and
//! [`route`](crate::http::route) serves a file, refuses, or upgrades it to a
//! WebSocket service. From then on a `wisp` [`Endpoint`] owns the protocol
//! and the session runs the service: the console stream and commands
//! (`/printf`), the echo, or the tap. It never touches a transport: a driver
//! reads into [`input`](Session::input), writes [`output`](Session::output),
//! and calls [`poll`](Session::poll) with the time.
//!
//! Nothing a peer does can hold a session longer than a deadline
//! ([`Timing`]): a request head must be whole within `head_timeout` of its
//! first byte however slowly it trickles; output that makes no progress for
//! `send_timeout` (a peer that does not read) ends the session, with a close
//! `1008` when a WebSocket is open; a missing pong ends it with `1001`; a
//! close the peer does not answer ends it after `close_grace`.

mod http;
mod printf;
mod websocket;

use wisp::endpoint::{NoMask, Storage};
use wisp::{CloseCode, Endpoint, Server};

use crate::Micros;
use crate::app::App;
use crate::device::{Device, LogEvent};
use crate::http::Service;
#[cfg(feature = "dial")]
pub use websocket::Entropy;

use printf::Printf;
use websocket::Keepalive;

/// Keepalive, timeouts and deadlines (µs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Ping every WebSocket client this often (0: never).
    pub ping_interval: Micros,
    /// Close (1001) a client whose pong takes longer than this.
    pub pong_timeout: Micros,
    /// A request head (or a server's `101`) must be whole this long after
    /// its first byte.
    pub head_timeout: Micros,
    /// A connection that sends nothing this long — a new one, or an idle
    /// keep-alive one — is closed.
    pub idle_timeout: Micros,
    /// Output that makes no progress this long means a peer that does not
    /// read: the session ends.
    pub send_timeout: Micros,
    /// How long a close may wait for the peer's answer.
    pub close_grace: Micros,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            ping_interval: 10_000_000,
            pong_timeout: 5_000_000,
            head_timeout: 10_000_000,
            idle_timeout: 10_000_000,
            send_timeout: 10_000_000,
            close_grace: 2_000_000,
        }
    }
}

/// Why a session ended, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    /// The close code sent or received, if the WebSocket got that far.
    pub code: Option<CloseCode>,
    /// In words.
    pub why: &'static str,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading an HTTP request head.
    Http,
    /// Sending a file body, then back to `Http` (or closing).
    Body {
        /// The file.
        body: &'static [u8],
        /// Bytes sent so far.
        at: usize,
        /// Another request may follow.
        keep_alive: bool,
    },
    /// Dialed out: waiting for the server's `101`.
    Dialing,
    /// A WebSocket service is running.
    Ws(Service),
    /// Sending what is left, then closing the transport.
    Closing,
}

/// What one poll did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing new.
    Idle,
    /// Something moved: poll again soon.
    Busy,
    /// The session is over; drop the transport.
    Ended(Ending),
}

/// The engine in the session's role.
enum Link<const RX: usize, const TX: usize> {
    Server(Endpoint<Storage<RX, TX>, Server, NoMask>),
    #[cfg(feature = "dial")]
    Client(Endpoint<Storage<RX, TX>, wisp::Client, Entropy>),
}

/// Run `$body` with `$ep` bound to the session's endpoint, whichever its role.
macro_rules! with_ep {
    ($link:expr, $ep:ident => $body:expr) => {
        match $link {
            $crate::session::Link::Server($ep) => $body,
            #[cfg(feature = "dial")]
            $crate::session::Link::Client($ep) => $body,
        }
    };
}
pub(crate) use with_ep;

/// One connection; `RX` and `TX` are its buffers' sizes.
pub struct Session<const RX: usize = 1024, const TX: usize = 2048> {
    link: Link<RX, TX>,
    id: u16,
    phase: Phase,
    /// Over a limit: told why, then closed.
    busy: bool,
    /// Last input, or the start: for the idle deadline.
    active: Micros,
    /// First byte of the request head being read.
    head_from: Option<Micros>,
    /// Bytes of the head scanned without finding its end (no re-parse
    /// until more arrive).
    scanned: usize,
    /// Last time output moved, or nothing was waiting.
    progress: Micros,
    closing_since: Option<Micros>,
    ending: Option<Ending>,
    requests: u16,
    printf: Printf,
    keepalive: Keepalive,
    /// A close that did not fit yet (the control reserve was in use).
    close_pending: Option<(CloseCode, &'static str)>,
    /// For a `/tap` session: the next tap record it sends.
    tap_at: Option<u64>,
    #[cfg(feature = "dial")]
    dial: Option<wisp::handshake::ClientHandshake>,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    counted: (u64, u64),
}

impl<const RX: usize, const TX: usize> Session<RX, TX> {
    /// A session for an accepted connection, admitted by the device.
    pub fn accept(admission: crate::Admission, now: Micros) -> Self {
        Self::with_link(Link::Server(Endpoint::owned()), admission, now)
    }

    fn with_link(link: Link<RX, TX>, admission: crate::Admission, now: Micros) -> Self {
        Session {
            link,
            id: admission.id,
            phase: Phase::Http,
            busy: admission.busy,
            active: now,
            head_from: None,
            scanned: 0,
            progress: now,
            closing_since: None,
            ending: None,
            requests: 0,
            printf: Printf::new(),
            keepalive: Keepalive::new(),
            close_pending: None,
            tap_at: None,
            #[cfg(feature = "dial")]
            dial: None,
            rx_bytes: 0,
            tx_bytes: 0,
            counted: (0, 0),
        }
    }

    /// Its id.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// Where it stands.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The service, once upgraded.
    pub fn service(&self) -> Option<Service> {
        match self.phase {
            Phase::Ws(s) => Some(s),
            _ => None,
        }
    }

    /// Room to read the transport into; empty when the session takes no
    /// input now (its answers must drain first, or it is closing).
    pub fn input(&mut self) -> &mut [u8] {
        let wanted = self.wants_input();
        let room = with_ep!(&mut self.link, ep => ep.input());
        if wanted { room } else { &mut [] }
    }

    /// Does it take input now?
    pub fn wants_input(&self) -> bool {
        match self.phase {
            // One request at a time: the previous answer must be out first.
            Phase::Http => !self.has_output(),
            Phase::Body { .. } | Phase::Closing => false,
            Phase::Dialing | Phase::Ws(_) => true,
        }
    }

    /// `n` bytes were read into [`input`](Self::input); `0` means the peer
    /// closed its side.
    pub fn received(&mut self, n: usize, now: Micros) {
        if n == 0 {
            let why = match self.phase {
                Phase::Ws(_) if !with_ep!(&self.link, ep => ep.connection().is_closed()) => {
                    Ending { code: Some(CloseCode::ABNORMAL), why: "peer went away without a close frame" }
                }
                _ => Ending { code: None, why: "peer closed the connection" },
            };
            self.ending.get_or_insert(why);
            self.phase = Phase::Closing;
            self.drop_output();
            return;
        }
        with_ep!(&mut self.link, ep => ep.filled(n));
        self.rx_bytes += n as u64;
        self.active = now;
        if self.phase == Phase::Http && self.head_from.is_none() {
            self.head_from = Some(now);
        }
    }

    /// Bytes to write to the transport now.
    pub fn output(&self) -> &[u8] {
        let queued = with_ep!(&self.link, ep => ep.output());
        match self.phase {
            // A file body goes straight from flash, after its head.
            Phase::Body { body, at, .. } if queued.is_empty() => body.get(at..).unwrap_or_default(),
            _ => queued,
        }
    }

    /// Room to read into and bytes to write, at once (for a driver that
    /// waits on both).
    pub fn io(&mut self) -> (&mut [u8], &[u8]) {
        let wanted = self.wants_input();
        let phase = self.phase;
        let (input, queued) = with_ep!(&mut self.link, ep => ep.io());
        let output = match phase {
            Phase::Body { body, at, .. } if queued.is_empty() => body.get(at..).unwrap_or_default(),
            _ => queued,
        };
        (if wanted { input } else { &mut [] }, output)
    }

    /// Is anything waiting to be written?
    pub fn has_output(&self) -> bool {
        !self.output().is_empty()
    }

    /// `n` bytes of [`output`](Self::output) were written.
    pub fn sent(&mut self, n: usize, now: Micros) {
        if n == 0 {
            return;
        }
        self.tx_bytes += n as u64;
        self.progress = now;
        let queued = with_ep!(&self.link, ep => ep.has_output());
        if queued {
            with_ep!(&mut self.link, ep => ep.written(n));
        } else if let Phase::Body { body, at, keep_alive } = self.phase {
            self.phase = Phase::Body { body, at: at + n, keep_alive };
        }
    }

    /// The transport failed: the session ends now.
    pub fn abort<A: App, const N: usize>(&mut self, why: &'static str, dev: &mut Device<'_, A, N>) -> Ending {
        let ending = *self.ending.get_or_insert(Ending { code: Some(CloseCode::ABNORMAL), why });
        self.finish(ending, dev);
        ending
    }

    /// Close the WebSocket with `code` (or just the connection, before the
    /// upgrade): at shutdown, `1001`. The session ends when the peer answers
    /// or after the close grace.
    pub fn close(&mut self, code: CloseCode, why: &'static str, now: Micros) {
        match self.phase {
            Phase::Ws(_) => self.ws_close(code, why, now),
            Phase::Closing => {}
            _ => self.end(None, why),
        }
    }

    /// When the session next needs a poll, at the latest, if nothing
    /// happens before (a driver sleeps until then).
    pub fn deadline(&self, t: &Timing) -> Micros {
        let mut at = Micros::MAX;
        let mut soon = |d: Micros| at = at.min(d);
        if self.has_output() {
            soon(self.progress.saturating_add(t.send_timeout));
        }
        match self.phase {
            Phase::Http | Phase::Dialing => match self.head_from {
                Some(from) => soon(from.saturating_add(t.head_timeout)),
                None => soon(self.active.saturating_add(t.idle_timeout)),
            },
            Phase::Ws(_) => match self.closing_since {
                Some(since) => soon(since.saturating_add(t.close_grace)),
                None => {
                    if let Some(d) = self.keepalive.deadline(t) {
                        soon(d);
                    }
                }
            },
            Phase::Closing => soon(self.closing_since.unwrap_or(self.progress).saturating_add(t.close_grace)),
            Phase::Body { .. } => {}
        }
        // The checks fire once a time is exceeded (`>`): a microsecond
        // later, not at it, or a driver woken at the deadline finds nothing
        // to do and sleeps until the same instant again.
        at.saturating_add(1)
    }

    /// Do whatever can be done now: read requests, run the service, produce
    /// console lines, keep alive, enforce the deadlines.
    pub fn poll<A: App, const N: usize>(&mut self, now: Micros, dev: &mut Device<'_, A, N>) -> Step {
        let before = (self.rx_bytes, self.tx_bytes, self.output().len());
        if dev.entry(self.id).is_some_and(|o| o.evict) {
            self.end(None, "idle keep-alive closed to make room");
            self.drop_output();
        }
        match self.phase {
            Phase::Http => self.http(now, dev),
            #[cfg(feature = "dial")]
            Phase::Dialing => self.dialing(now, dev),
            Phase::Ws(service) => self.websocket(service, now, dev),
            _ => {}
        }
        if let Phase::Body { body, at, keep_alive } = self.phase
            && at >= body.len()
            && !with_ep!(&self.link, ep => ep.has_output())
        {
            if keep_alive {
                self.phase = Phase::Http;
                self.active = now;
            } else {
                self.end(None, "response sent");
            }
        }
        self.deadlines(now, &dev.cfg.timing);
        self.report(dev);
        if self.phase == Phase::Closing && !self.has_output() {
            let ending = self.ending.unwrap_or(Ending { code: None, why: "closed" });
            self.finish(ending, dev);
            return Step::Ended(ending);
        }
        if (self.rx_bytes, self.tx_bytes, self.output().len()) != before { Step::Busy } else { Step::Idle }
    }

    fn deadlines(&mut self, now: Micros, t: &Timing) {
        if !self.has_output() {
            self.progress = now;
        } else if now.saturating_sub(self.progress) > t.send_timeout {
            // A peer that does not read does not keep the slot.
            match self.phase {
                Phase::Ws(_) if self.closing_since.is_none() => {
                    self.ws_close(CloseCode::POLICY_VIOLATION, "not reading: send timeout", now);
                    self.progress = now;
                }
                _ => {
                    self.end(self.ending.and_then(|e| e.code), "peer does not read: send timeout");
                    self.drop_output();
                }
            }
        }
        match self.phase {
            Phase::Http | Phase::Dialing => match self.head_from {
                Some(from) if now.saturating_sub(from) > t.head_timeout => self.head_timeout(),
                None if now.saturating_sub(self.active) > t.idle_timeout => self.end(None, "idle"),
                _ => {}
            },
            Phase::Ws(_) => {
                if self.closing_since.is_some_and(|s| now.saturating_sub(s) > t.close_grace) {
                    self.end(self.ending.and_then(|e| e.code), "peer did not answer the close");
                    self.drop_output();
                }
            }
            Phase::Closing => {
                let since = *self.closing_since.get_or_insert(now);
                if now.saturating_sub(since) > t.close_grace {
                    self.drop_output();
                }
            }
            Phase::Body { .. } => {}
        }
    }

    /// Keep the device's table up to date: limits, the idle flag, figures.
    fn report<A: App, const N: usize>(&mut self, dev: &mut Device<'_, A, N>) {
        let counts = !self.busy && self.phase != Phase::Closing;
        let idle = self.is_idle_keep_alive();
        if let Some(e) = dev.entry(self.id) {
            e.counts = counts;
            e.idle = idle;
        }
        dev.stats.rx_bytes += self.rx_bytes - self.counted.0;
        dev.stats.tx_bytes += self.tx_bytes - self.counted.1;
        self.counted = (self.rx_bytes, self.tx_bytes);
        dev.stats.session_ram = (dev.sessions() * core::mem::size_of::<Self>()) as u32;
    }

    /// A keep-alive connection that has been served and waits for nothing.
    fn is_idle_keep_alive(&self) -> bool {
        self.phase == Phase::Http
            && self.requests > 0
            && self.head_from.is_none()
            && !self.has_output()
            && with_ep!(&self.link, ep => ep.unread().is_empty())
    }

    /// Move to closing; the first reason given is the one logged.
    fn end(&mut self, code: Option<CloseCode>, why: &'static str) {
        self.ending.get_or_insert(Ending { code, why });
        self.phase = Phase::Closing;
    }

    /// Nothing queued will be sent (the peer is gone or does not read).
    fn drop_output(&mut self) {
        with_ep!(&mut self.link, ep => {
            let n = ep.output().len();
            ep.written(n);
        });
        if let Phase::Body { body, .. } = self.phase {
            self.phase = Phase::Body { body, at: body.len(), keep_alive: false };
        }
    }

    /// Leave the device: its place, its console reader, its tap.
    fn finish<A: App, const N: usize>(&mut self, ending: Ending, dev: &mut Device<'_, A, N>) {
        self.printf.leave(dev.console);
        if self.tap_at.take().is_some() {
            dev.taps.listeners = dev.taps.listeners.saturating_sub(1);
        }
        let service = match self.phase {
            Phase::Ws(s) => Some(s),
            _ => self.printf.service,
        };
        dev.log(LogEvent::Closed { id: self.id, service, ending });
        dev.release(self.id);
    }
}
